/**
 * Reads the API's JSON into the view model's types. The API is served by nodes that may be of
 * another version than this REPL, so every field is read tolerantly: a missing field gets a
 * neutral value instead of crashing the terminal.
 */
import type { AttemptInfo, ClusterInfo, HistoryRow, JobRow, JobStatus, JobSummary, NodeInfo } from './types.js';

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}
function str(v: unknown, d = ''): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : d;
}
function strOrNull(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null;
}
function num(v: unknown, d = 0): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : d;
}
function numOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** One node of `GET /v1/cluster` or `GET /v1/nodes`. */
export function parseNode(v: unknown): NodeInfo {
  const o = obj(v);
  const api = strOrNull(o.api);
  return {
    name: str(o.name, str(o.id, '?')),
    id: str(o.id),
    addrs: strings(o.addrs),
    labels: strings(o.labels),
    role: str(o.role, 'voter'),
    state: o.state === 'down' ? 'down' : 'up',
    slots: num(o.slots),
    running: num(o.running),
    api: api !== null && /^https?:\/\//.test(api) ? api.replace(/\/+$/, '') : null,
    reason: strOrNull(o.reason),
  };
}

/** `GET /v1/cluster`. */
export function parseCluster(v: unknown): ClusterInfo {
  const o = obj(v);
  return {
    cluster: strOrNull(o.cluster) ?? strOrNull(o.name),
    leader: strOrNull(o.leader),
    term: num(o.term),
    nodes: list(o.nodes).map(parseNode),
  };
}

/** The fields a job row and a job's status share. */
function parseJobSummary(o: Obj): JobSummary {
  return {
    id: str(o.id, '?'),
    name: str(o.name),
    state: str(o.state, 'unknown'),
    node: strOrNull(o.node),
    labels: strings(o.labels),
    pipeline: str(o.pipeline),
    reason: strOrNull(o.reason),
  };
}

/** One row of `GET /v1/jobs`. */
export function parseJobRow(v: unknown): JobRow {
  const o = obj(v);
  return { ...parseJobSummary(o), attempt: num(o.attempt) };
}

function parseAttempt(v: unknown): AttemptInfo {
  const o = obj(v);
  return {
    n: num(o.n),
    node: str(o.node, '-'),
    state: str(o.state, 'unknown'),
    exitCode: numOrNull(o.exitCode),
    startedAt: numOrNull(o.startedAt),
    finishedAt: numOrNull(o.finishedAt),
    reason: strOrNull(o.reason),
  };
}

/** The scheduler's explanation (`waiting`), flattened to lines a person reads. */
function waitingLines(v: unknown): string[] {
  const o = obj(v);
  if (Object.keys(o).length === 0) return [];
  const lines: string[] = [];
  const text = strOrNull(o.text);
  if (text !== null) lines.push(text);
  const m = obj(o.matching);
  for (const k of ['free', 'busy', 'down', 'draining']) {
    const names = strings(m[k]);
    if (names.length > 0) lines.push(`${k}: ${names.join(', ')}`);
  }
  for (const u of list(o.unmet)) {
    const uo = obj(u);
    lines.push(`${str(uo.node, '?')} lacks ${strings(uo.terms).join(', ')}`);
  }
  return lines;
}

/** `GET /v1/jobs/{id}`. */
export function parseJobStatus(v: unknown): JobStatus {
  const o = obj(v);
  return {
    ...parseJobSummary(o),
    run: str(o.run),
    attempts: list(o.attempts).map(parseAttempt),
    jobs: list(o.jobs).map((j) => {
      const jo = obj(j);
      return { id: str(jo.id, '?'), name: str(jo.name), state: str(jo.state, 'unknown'), node: strOrNull(jo.node) };
    }),
    waiting: waitingLines(o.waiting),
  };
}

/** One record of `GET /v1/history`. */
export function parseHistoryRow(v: unknown): HistoryRow {
  const o = obj(v);
  return {
    job: str(o.jobId, str(o.id, '?')),
    pipeline: str(o.pipeline),
    name: str(o.job, str(o.name)),
    attempt: num(o.attempt),
    node: str(o.node, '-'),
    state: str(o.state, 'unknown'),
    exitCode: numOrNull(o.exitCode),
    finishedAt: numOrNull(o.finishedAt),
  };
}

/** Job states after which nothing changes. */
export const terminalJobStates: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled', 'lost']);
