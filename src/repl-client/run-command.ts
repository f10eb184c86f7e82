import type { SubmitRequest } from '../api/service.js';
import { CairnError } from '../util/errors.js';
import type { ClusterConnection } from './cluster-connection.js';
import { helpEntries } from './command-table.js';
import type { ReplCommand } from './command-parser.js';
import { commandRequestTimeoutMs, submittedRememberedMax } from './constants.js';
import { parseHistoryRow, parseJobRow, parseJobStatus, parseNode, terminalJobStates } from './parse-views.js';
import type { JobRow, OutputBody } from './types.js';

/** What a command needs from the session around it. */
export interface CommandContext {
  connection: ClusterConnection;
  /** Shows a job's log: live (`-f`) or what exists now. Returns a line for the transcript. */
  follow(job: string, live: boolean): string;
  /** Replaces the job list in the view with a fresh one. */
  setJobs(jobs: JobRow[]): void;
  /** Reads a pipeline file; null when there is no such file (then the word names a registered pipeline). */
  readFile(path: string): Promise<{ text: string; name: string } | null>;
  /** Submit requests made in this session, by the id the cluster gave, for `retry`. */
  submitted: Map<string, SubmitRequest>;
  quit(): void;
}

/** Runs one parsed command against the cluster; operating errors come back as an `error` body. */
export async function runCommand(cmd: ReplCommand, ctx: CommandContext): Promise<OutputBody> {
  try {
    return await dispatch(cmd, ctx);
  } catch (err) {
    if (err instanceof CairnError) return { kind: 'error', code: err.code, message: err.message };
    throw err;
  }
}

async function dispatch(cmd: ReplCommand, ctx: CommandContext): Promise<OutputBody> {
  const { connection: conn } = ctx;
  switch (cmd.name) {
    case 'help':
      return { kind: 'help', entries: helpEntries() };
    case 'quit':
      ctx.quit();
      return text(['bye']);
    case 'leader':
      return leaderBody(conn, await conn.refresh());
    case 'nodes': {
      const info = await conn.refresh();
      return { kind: 'nodes', nodes: info.nodes.length > 0 ? info.nodes : (await conn.call((c) => c.nodes())).map(parseNode), leader: info.leader };
    }
    case 'jobs': {
      const jobs = (await conn.call((c) => c.jobs())).map(parseJobRow);
      ctx.setJobs(jobs);
      return { kind: 'jobs', jobs };
    }
    case 'status':
      return { kind: 'status', status: parseJobStatus(await conn.call((c) => c.job(cmd.job))) };
    case 'why': {
      const s = parseJobStatus(await conn.call((c) => c.job(cmd.job)));
      const head = s.reason ?? `nothing to explain: ${s.id} ${terminalJobStates.has(s.state) ? '' : 'is '}${s.state}${s.node ? ` on ${s.node}` : ''}`;
      return text([`${s.id}: ${head}`, ...s.waiting.filter((l) => l !== s.reason).map((l) => `  ${l}`)]);
    }
    case 'cancel': {
      const res = (await conn.call((c) => c.cancel(cmd.job))) as { state?: unknown } | null;
      const state = typeof res?.state === 'string' ? ` (${res.state})` : '';
      return text([`cancel requested for ${cmd.job}${state}`], 'warn');
    }
    case 'logs':
      return text([ctx.follow(cmd.job, cmd.follow)]);
    case 'submit':
      return submit(cmd.target, ctx);
    case 'retry':
      return retry(cmd.job, ctx);
    case 'history':
      return { kind: 'history', rows: (await conn.call((c) => c.history(cmd.limit))).map(parseHistoryRow) };
    case 'labels':
      return labels(cmd, ctx);
  }
}

function text(lines: string[], tone: 'info' | 'good' | 'warn' | 'bad' = 'info'): OutputBody {
  return { kind: 'text', lines, tone };
}

function leaderBody(conn: ClusterConnection, info: { leader: string | null; term: number }): OutputBody {
  const members = conn.members.map((m) => `${m.name ?? '?'} ${m.url}`);
  return text([
    info.leader === null ? `no leader (term ${info.term}): an election is under way` : `leader ${info.leader}, term ${info.term}`,
    `attached to ${conn.describe()}`,
    `members: ${members.join(', ')}`,
  ]);
}

async function submit(target: string, ctx: CommandContext): Promise<OutputBody> {
  const file = await ctx.readFile(target);
  const req: SubmitRequest = file === null ? { name: target } : { pipeline: file.text, file: file.name };
  return submitAndFollow(req, ctx, 'submitted');
}

/** Submits, remembers the request for `retry`, and follows the jobs of the new run. */
async function submitAndFollow(req: SubmitRequest, ctx: CommandContext, verb: string): Promise<OutputBody> {
  // Not retried on another node when the request may have arrived: a submit must not run twice.
  const res = await ctx.connection.call((c) => c.submit(req), { retry: false });
  remember(ctx.submitted, res.id, req);
  const lines = [`${verb} ${res.id} (${res.state})`];
  let jobIds = [res.id];
  try {
    // A run id names several jobs: its status lists them, and each one's log is followed.
    const s = parseJobStatus(await ctx.connection.call((c) => c.job(res.id)));
    if (s.jobs.length > 0) jobIds = s.jobs.map((j) => j.id);
  } catch {
    // The status is a nicety; following the id the cluster gave is the fallback.
  }
  for (const id of jobIds) lines.push(ctx.follow(id, true));
  return text(lines, 'good');
}

/**
 * `retry JOB`: the API has no retry route, so the REPL submits the job's pipeline again: the
 * same request when it was submitted from this session, or the registered pipeline by name.
 */
async function retry(job: string, ctx: CommandContext): Promise<OutputBody> {
  const s = parseJobStatus(await ctx.connection.call((c) => c.job(job)));
  const known = ctx.submitted.get(s.id) ?? ctx.submitted.get(s.run);
  if (known !== undefined) return submitAndFollow(known, ctx, `retried ${job} as`);
  if (s.pipeline === '') throw new CairnError('NOT_FOUND', `${job} names no pipeline to submit again`, { job });
  try {
    return await submitAndFollow({ name: s.pipeline }, ctx, `retried ${job} as`);
  } catch (err) {
    if (err instanceof CairnError && err.code === 'PIPELINE_NOT_FOUND') {
      throw new CairnError('PIPELINE_NOT_FOUND', `${job}'s pipeline "${s.pipeline}" is not registered in the cluster: submit its file again`, { job, pipeline: s.pipeline });
    }
    throw err;
  }
}

function remember(map: Map<string, SubmitRequest>, id: string, req: SubmitRequest): void {
  map.set(id, req);
  // Oldest first in a Map's order: drop from the front.
  while (map.size > submittedRememberedMax) map.delete(map.keys().next().value!);
}

/**
 * `labels NODE +x -y`. The API has no route for it yet; the REPL asks the attached node for
 * `POST /v1/nodes/{name}/labels` with `{ add, remove }` and says plainly when it is missing.
 */
async function labels(cmd: { node: string; add: string[]; remove: string[] }, ctx: CommandContext): Promise<OutputBody> {
  const url = `${ctx.connection.url}/v1/nodes/${encodeURIComponent(cmd.node)}/labels`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...ctx.connection.authHeaders() },
      body: JSON.stringify({ add: cmd.add, remove: cmd.remove }),
      signal: AbortSignal.timeout(commandRequestTimeoutMs),
    });
  } catch (err) {
    throw new CairnError('UNREACHABLE', `cannot reach ${ctx.connection.url}: ${(err as Error).message}`, {}, { cause: err });
  }
  const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string }; labels?: unknown } | null;
  const noRoute = res.status === 404 && body?.error?.message?.startsWith('no route') === true;
  if (noRoute || body?.error?.code === 'NOT_IMPLEMENTED') {
    return text([`labels: not supported by this cluster yet (its API has no route to change a node's labels)`], 'warn');
  }
  if (!res.ok) throw new CairnError('INVALID_INPUT', body?.error?.message ?? `HTTP ${res.status}`);
  const now = Array.isArray(body?.labels) ? ` now: ${(body.labels as unknown[]).join(',')}` : '';
  return text([`labels of ${cmd.node} changed${now}`], 'good');
}
