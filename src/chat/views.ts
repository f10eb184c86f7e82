/**
 * The API answers `unknown`; these read the fields the bot uses out of SPEC.md's view shapes
 * (src/cluster/views.ts), tolerating missing ones, so a newer or older node never crashes the
 * bot. Extra fields the bot reads when present: `authorEmail` (the commit author of a job
 * submitted with --repo/--ref) and `source: { repo, ref }`.
 */

export interface JobRow {
  id: string;
  run: string;
  pipeline: string;
  name: string;
  state: string;
  node: string | null;
  reason: string | null;
  attempt: number;
  authorEmail: string | null;
}

export interface AttemptInfo {
  n: number;
  node: string | null;
  state: string;
  exitCode: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  reason: string | null;
}

export interface JobInfo {
  id: string;
  name: string;
  state: string;
  node: string | null;
  reason: string | null;
  run: string;
  pipeline: string;
  attempts: AttemptInfo[];
  jobs: Array<{ id: string; name: string; state: string; node: string | null }>;
  result: string | null;
  submittedAt: number | null;
  finishedAt: number | null;
  authorEmail: string | null;
  source: { repo: string | null; ref: string | null } | null;
}

export interface NodeInfo {
  name: string;
  role: string;
  state: string;
  labels: string[];
  slots: number;
  running: number;
  draining: boolean;
  reason: string | null;
  /** The node's REST API URL, when the view carries one (used to follow the leader). */
  api: string | null;
}

export interface ClusterInfo {
  leader: string | null;
  term: number;
  nodes: NodeInfo[];
}

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}
function str(o: Obj, k: string, dflt = ''): string {
  const v = o[k];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : dflt;
}
function strOrNull(o: Obj, k: string): string | null {
  const v = o[k];
  return typeof v === 'string' && v !== '' ? v : null;
}
function num(o: Obj, k: string, dflt: number): number {
  const v = o[k];
  return typeof v === 'number' && Number.isFinite(v) ? v : dflt;
}
function numOrNull(o: Obj, k: string): number | null {
  const v = o[k];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** The commit author's e-mail, from `authorEmail` or `source.authorEmail`. */
function authorOf(o: Obj): string | null {
  return strOrNull(o, 'authorEmail') ?? strOrNull(obj(o.source), 'authorEmail');
}

export function toJobRow(v: unknown): JobRow | null {
  const o = obj(v);
  const id = str(o, 'id');
  if (id === '') return null;
  return {
    id,
    run: str(o, 'run', id.split('.')[0] ?? id),
    pipeline: str(o, 'pipeline'),
    name: str(o, 'name', id),
    state: str(o, 'state', 'unknown'),
    node: strOrNull(o, 'node'),
    reason: strOrNull(o, 'reason'),
    attempt: num(o, 'attempt', 0),
    authorEmail: authorOf(o),
  };
}

export function toJobRows(v: unknown): JobRow[] {
  return arr(v).map(toJobRow).filter((r): r is JobRow => r !== null);
}

export function toJobInfo(v: unknown): JobInfo {
  const o = obj(v);
  const id = str(o, 'id');
  const src = o.source === undefined || o.source === null ? null : obj(o.source);
  return {
    id,
    name: str(o, 'name', id),
    state: str(o, 'state', 'unknown'),
    node: strOrNull(o, 'node'),
    reason: strOrNull(o, 'reason'),
    run: str(o, 'run', id),
    pipeline: str(o, 'pipeline'),
    attempts: arr(o.attempts).map((a) => {
      const x = obj(a);
      return {
        n: num(x, 'n', 0),
        node: strOrNull(x, 'node'),
        state: str(x, 'state', 'unknown'),
        exitCode: numOrNull(x, 'exitCode'),
        startedAt: numOrNull(x, 'startedAt'),
        finishedAt: numOrNull(x, 'finishedAt'),
        reason: strOrNull(x, 'reason'),
      };
    }),
    jobs: arr(o.jobs).map((j) => {
      const x = obj(j);
      return { id: str(x, 'id'), name: str(x, 'name'), state: str(x, 'state', 'unknown'), node: strOrNull(x, 'node') };
    }),
    result: strOrNull(o, 'result'),
    submittedAt: numOrNull(o, 'submittedAt'),
    finishedAt: numOrNull(o, 'finishedAt'),
    authorEmail: authorOf(o),
    source: src === null ? null : { repo: strOrNull(src, 'repo'), ref: strOrNull(src, 'ref') },
  };
}

export function toNodeInfo(v: unknown): NodeInfo {
  const o = obj(v);
  return {
    name: str(o, 'name', '?'),
    role: str(o, 'role', 'voter'),
    state: str(o, 'state', 'unknown'),
    labels: arr(o.labels).filter((l): l is string => typeof l === 'string'),
    slots: num(o, 'slots', 0),
    running: num(o, 'running', 0),
    draining: o.draining === true,
    reason: strOrNull(o, 'reason'),
    api: strOrNull(o, 'api'),
  };
}

export function toClusterInfo(v: unknown): ClusterInfo {
  const o = obj(v);
  return { leader: strOrNull(o, 'leader'), term: num(o, 'term', 0), nodes: arr(o.nodes).map(toNodeInfo) };
}

/** A history record: the store's (`jobId`, `job` = name) or the cluster's (`job` = id, `name`). */
export function toHistoryOutcome(v: unknown): { pipeline: string; name: string; state: string } | null {
  const o = obj(v);
  const pipeline = str(o, 'pipeline');
  const name = strOrNull(o, 'name') ?? (typeof o.jobId === 'string' ? str(o, 'job') : '');
  const state = str(o, 'state');
  if (pipeline === '' || name === '' || state === '') return null;
  return { pipeline, name, state };
}

export const terminalStates: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled', 'lost']);
export const failedStates: ReadonlySet<string> = new Set(['failed', 'lost']);
