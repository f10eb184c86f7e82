import { ApiClient } from '../api/client.js';
import { CairnError } from '../util/errors.js';
import { commandRequestTimeoutMs, membersMax, pollRequestTimeoutMs } from './constants.js';
import { parseCluster } from './parse-views.js';
import type { ClusterInfo, ConnectionState } from './types.js';

/** A node the REPL may talk to: its API URL, and its name once the cluster view tells it. */
export interface Member {
  url: string;
  name: string | null;
}

/** Why the REPL attached to a node. */
export type AttachReason = 'start' | 'leader' | 'failover';

/** What the connection tells its listeners. */
export type ConnectionEvent =
  | { kind: 'attached'; url: string; name: string | null; previousUrl: string; previousName: string | null; reason: AttachReason }
  | { kind: 'state'; state: ConnectionState }
  | { kind: 'cluster'; info: ClusterInfo };

/** Which timeout a request gets: polls give up quickly, commands and streams do not. */
export type RequestKind = 'poll' | 'command' | 'stream';

/** Where to start, and how long requests may take. */
export interface ClusterConnectionInit {
  /** The API URL given with `--api`: the first member. */
  url: string;
  token?: string;
  pollTimeoutMs?: number;
  commandTimeoutMs?: number;
}

/** A stream has no timeout of its own (a follow may last hours); the connection's polls notice a dead node. */
const streamTimeoutMs = 2 ** 31 - 1;

/**
 * The REPL's link to the cluster. It talks to one node at a time, learns the other members
 * from `GET /v1/cluster` (each node's `api` URL), follows the leader, and when the node it
 * talks to stops answering, attaches to another member by itself. When the cluster view gives
 * no API URLs it stays on the node it was given.
 */
export class ClusterConnection {
  #members: Member[];
  #current: Member;
  #state: ConnectionState = 'connecting';
  readonly #token: string | undefined;
  readonly #timeouts: Record<RequestKind, number>;
  readonly #clients = new Map<string, ApiClient>();
  readonly #listeners = new Set<(e: ConnectionEvent) => void>();
  /** One failover at a time: polls, commands and streams that fail together share it. */
  #failover: Promise<ClusterInfo> | null = null;
  #lastInfo: ClusterInfo | null = null;

  constructor(init: ClusterConnectionInit) {
    const url = normaliseUrl(init.url);
    this.#current = { url, name: null };
    this.#members = [this.#current];
    this.#token = init.token;
    this.#timeouts = {
      poll: init.pollTimeoutMs ?? pollRequestTimeoutMs,
      command: init.commandTimeoutMs ?? commandRequestTimeoutMs,
      stream: streamTimeoutMs,
    };
  }

  /** The API URL of the node the REPL talks to now. */
  get url(): string { return this.#current.url; }
  /** That node's name, when the cluster view gave the node's API URL. */
  get name(): string | null { return this.#current.name; }
  get state(): ConnectionState { return this.#state; }
  get members(): readonly Member[] { return this.#members; }
  /** The last cluster view any member gave. */
  get lastCluster(): ClusterInfo | null { return this.#lastInfo; }

  /** Listens to attachments, state changes and fresh cluster views; returns the unsubscribe function. */
  onEvent(listener: (e: ConnectionEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The HTTP client for a node and a kind of request. */
  client(url: string = this.#current.url, kind: RequestKind = 'command'): ApiClient {
    const key = `${kind} ${url}`;
    let c = this.#clients.get(key);
    if (c === undefined) {
      c = new ApiClient({ url, timeoutMs: this.#timeouts[kind], ...(this.#token === undefined ? {} : { token: this.#token }) });
      this.#clients.set(key, c);
    }
    return c;
  }

  /**
   * Runs a request on the attached node. When the node does not answer, reattaches to another
   * member and runs it once more there, unless `retry` is false and the request may have
   * reached the node (a submit must not run twice).
   */
  async call<T>(fn: (client: ApiClient) => Promise<T>, opts: { kind?: RequestKind; retry?: boolean } = {}): Promise<T> {
    const kind = opts.kind ?? 'command';
    const url = this.#current.url;
    try {
      return await fn(this.client(url, kind));
    } catch (err) {
      if (!isUnreachable(err)) throw err;
      await this.#reattachFrom(url);
      if (opts.retry === false && !neverSent(err)) {
        throw new CairnError('UNREACHABLE', `${url} stopped answering during the request; it may or may not have been applied (now attached to ${this.describe()})`, { url });
      }
      return fn(this.client(this.#current.url, kind));
    }
  }

  /**
   * Polls the cluster view: on the attached node first, on the other members when it does not
   * answer; then moves to the leader when the view names one with an API URL. Throws
   * UNREACHABLE when no member answers.
   */
  async refresh(): Promise<ClusterInfo> {
    const url = this.#current.url;
    let info: ClusterInfo;
    try {
      info = await this.#fetchCluster(url);
    } catch (err) {
      if (!isUnreachable(err)) throw err;
      info = await this.#reattachFrom(url);
    }
    if (this.#state !== 'attached') this.#setState('attached');
    return this.#followLeader(info);
  }

  /** Headers for a request the ApiClient has no method for (the bearer token, when there is one). */
  authHeaders(): Record<string, string> {
    return this.#token === undefined ? {} : { authorization: `Bearer ${this.#token}` };
  }

  /** "b (http://…)" or the URL alone. */
  describe(): string {
    return this.#current.name === null ? this.#current.url : `${this.#current.name} (${this.#current.url})`;
  }

  async #fetchCluster(url: string): Promise<ClusterInfo> {
    const info = parseCluster(await this.client(url, 'poll').cluster());
    this.#learn(url, info);
    this.#lastInfo = info;
    this.#emit({ kind: 'cluster', info });
    return info;
  }

  /** Records the members the view names, and the name of the node at `url`. */
  #learn(url: string, info: ClusterInfo): void {
    for (const n of info.nodes) {
      if (n.api === null) continue;
      const known = this.#members.find((m) => m.url === n.api);
      if (known !== undefined) known.name = n.name;
      else if (this.#members.length < membersMax) this.#members.push({ url: n.api, name: n.name });
    }
    const self = info.nodes.find((n) => n.api === url);
    const member = this.#members.find((m) => m.url === url);
    if (self !== undefined && member !== undefined) member.name = self.name;
  }

  async #followLeader(info: ClusterInfo): Promise<ClusterInfo> {
    const leader = info.nodes.find((n) => n.name === info.leader);
    if (leader?.api == null || leader.api === this.#current.url) return info;
    try {
      const fromLeader = await this.#fetchCluster(leader.api);
      this.#attach(leader.api, 'leader');
      return fromLeader;
    } catch (err) {
      // The leader's API does not answer (yet): stay where we are, the next poll tries again.
      if (isUnreachable(err)) return info;
      throw err;
    }
  }

  /** Attaches to the first other member that answers; shared by everyone who saw `url` fail. */
  #reattachFrom(url: string): Promise<ClusterInfo> {
    if (url !== this.#current.url && this.#lastInfo !== null && this.#failover === null) {
      // Someone already moved away from `url`: nothing to do.
      return Promise.resolve(this.#lastInfo);
    }
    if (this.#failover === null) {
      this.#failover = this.#tryMembers(url).finally(() => { this.#failover = null; });
    }
    return this.#failover;
  }

  async #tryMembers(failedUrl: string): Promise<ClusterInfo> {
    this.#setState('reattaching');
    // The others in order after the failed one, then the failed one last (it may have restarted).
    const i = this.#members.findIndex((m) => m.url === failedUrl);
    const order = [...this.#members.slice(i + 1), ...this.#members.slice(0, Math.max(i, 0))];
    if (i >= 0) order.push(this.#members[i]!);
    for (const m of order) {
      try {
        const info = await this.#fetchCluster(m.url);
        this.#attach(m.url, 'failover');
        this.#setState('attached');
        return info;
      } catch (err) {
        if (!isUnreachable(err)) throw err;
      }
    }
    this.#setState('lost');
    throw new CairnError('UNREACHABLE', `no cluster member answers (tried ${order.map((m) => m.url).join(', ')})`, { members: order.map((m) => m.url) });
  }

  #attach(url: string, reason: AttachReason): void {
    if (url === this.#current.url) return;
    const previous = this.#current;
    this.#current = this.#members.find((m) => m.url === url) ?? { url, name: null };
    this.#emit({ kind: 'attached', url, name: this.#current.name, previousUrl: previous.url, previousName: previous.name, reason });
  }

  #setState(state: ConnectionState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#emit({ kind: 'state', state });
  }

  #emit(e: ConnectionEvent): void {
    for (const l of [...this.#listeners]) l(e);
  }
}

/** A node that does not answer (refused, reset, timed out, 5xx without a JSON body). */
export function isUnreachable(err: unknown): boolean {
  return err instanceof CairnError && err.code === 'UNREACHABLE';
}

/** True when the request cannot have reached the node: the connection was refused. */
function neverSent(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e instanceof Error; depth++) {
    if ((e as { code?: unknown }).code === 'ECONNREFUSED') return true;
    e = e.cause;
  }
  return false;
}

function normaliseUrl(url: string): string {
  return url.replace(/\/+$/, '');
}
