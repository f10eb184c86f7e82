import { CairnError, ERROR_CODES, type ErrorCode } from '../util/errors.js';
import type { LogChunk, SubmitRequest, PipelineRegistration } from './service.js';

export interface ApiClientInit {
  /** Base URL of any node, e.g. http://127.0.0.1:7070. */
  url: string;
  token?: string;
  /** Per-request timeout; a node that does not answer in time counts as unreachable. */
  timeoutMs?: number;
}

/** Requests that take longer than this are abandoned: the CLI must never hang on a dead node. */
export const requestTimeoutMsDefault = 10_000;

/**
 * The REST client the CLI, the REPL and the chat bot share. Connection failures become
 * UNREACHABLE (exit 3); JSON error bodies become CairnErrors with the server's code.
 */
export class ApiClient {
  readonly url: string;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;

  constructor(init: ApiClientInit) {
    this.url = init.url.replace(/\/+$/, '');
    this.token = init.token;
    this.timeoutMs = init.timeoutMs ?? requestTimeoutMsDefault;
  }

  cluster(): Promise<unknown> { return this.get('/v1/cluster'); }
  nodes(): Promise<unknown[]> { return this.get('/v1/nodes') as Promise<unknown[]>; }
  submit(req: SubmitRequest): Promise<{ id: string; state: string }> {
    return this.send('POST', '/v1/jobs', req) as Promise<{ id: string; state: string }>;
  }
  jobs(state?: string): Promise<unknown[]> {
    return this.get(state ? `/v1/jobs?state=${encodeURIComponent(state)}` : '/v1/jobs') as Promise<unknown[]>;
  }
  job(id: string): Promise<unknown> { return this.get(`/v1/jobs/${encodeURIComponent(id)}`); }
  cancel(id: string): Promise<unknown> { return this.send('POST', `/v1/jobs/${encodeURIComponent(id)}/cancel`, {}); }
  history(limit: number): Promise<unknown[]> { return this.get(`/v1/history?limit=${limit}`) as Promise<unknown[]>; }
  pipelines(): Promise<unknown[]> { return this.get('/v1/pipelines') as Promise<unknown[]>; }
  addPipeline(reg: PipelineRegistration): Promise<unknown> { return this.send('POST', '/v1/pipelines', reg); }
  removePipeline(name: string): Promise<unknown> { return this.send('DELETE', `/v1/pipelines/${encodeURIComponent(name)}`); }
  /** `PUT /v1/config/{key}`: sets one cluster setting, e.g. `chatUsers` (commit author e-mail → nick). */
  /** Streams the cluster's events (after a `{ kind: 'subscribed' }` line) until `signal` aborts. */
  async *events(signal?: AbortSignal): AsyncGenerator<Record<string, unknown>> {
    const res = await this.fetch('GET', '/v1/events', undefined, signal ?? null, false);
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(part, { stream: true });
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line) yield JSON.parse(line) as Record<string, unknown>;
        }
      }
    } catch (err) {
      if (signal?.aborted) return;
      throw err;
    }
  }
  setNodeLabels(node: string, change: { add: string[]; remove: string[] }): Promise<unknown> {
    return this.send('POST', `/v1/nodes/${encodeURIComponent(node)}/labels`, change);
  }
  setConfig(key: string, value: unknown): Promise<unknown> { return this.send('PUT', `/v1/config/${encodeURIComponent(key)}`, { value }); }
  health(): Promise<unknown> { return this.get('/healthz'); }

  /** Streams a job's log chunks from `from` on; ends when the server ends the stream. */
  async *logs(id: string, opts: { from?: number; follow?: boolean; signal?: AbortSignal } = {}): AsyncGenerator<LogChunk> {
    const q = `from=${opts.from ?? 0}${opts.follow ? '&follow=1' : ''}`;
    const res = await this.fetch('GET', `/v1/jobs/${encodeURIComponent(id)}/logs?${q}`, undefined, opts.signal ?? null, false);
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buf = '';
    for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(part, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line) continue;
        const msg = JSON.parse(line) as { seq?: number; data?: string; end?: boolean };
        if (msg.end) return;
        if (msg.seq !== undefined && msg.data !== undefined) yield { seq: msg.seq, data: Buffer.from(msg.data, 'base64') };
      }
    }
  }

  private get(path: string): Promise<unknown> { return this.send('GET', path); }

  private async send(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await this.fetch(method, path, body, null, true);
    const text = await res.text();
    return text ? JSON.parse(text) : null;
  }

  private async fetch(method: string, path: string, body: unknown, signal: AbortSignal | null, timed: boolean): Promise<Response> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const signals = [signal, timed ? AbortSignal.timeout(this.timeoutMs) : null].filter((s): s is AbortSignal => s !== null);
    let res: Response;
    try {
      res = await fetch(this.url + path, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(signals.length ? { signal: AbortSignal.any(signals) } : {}),
      });
    } catch (err) {
      throw new CairnError('UNREACHABLE', `cannot reach the cluster at ${this.url}: ${(err as Error).cause ?? (err as Error).message}`, { url: this.url }, { cause: err });
    }
    if (res.ok) return res;
    const text = await res.text();
    let parsed: { error?: { code?: string; message?: string; data?: Record<string, unknown> } } = {};
    try { parsed = JSON.parse(text); } catch { /* not JSON: fall through to a generic error */ }
    const code = parsed.error?.code;
    if (code && code in ERROR_CODES) {
      throw new CairnError(code as ErrorCode, parsed.error?.message ?? code, parsed.error?.data ?? {});
    }
    throw new CairnError(res.status >= 500 ? 'UNREACHABLE' : 'INVALID_INPUT', `${method} ${path}: HTTP ${res.status} ${text.slice(0, 200)}`, { status: res.status });
  }
}
