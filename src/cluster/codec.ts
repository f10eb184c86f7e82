/**
 * Encoding for the Raft log and snapshots. Canonical JSON (object keys sorted, no whitespace):
 * the same state encodes to the same bytes on every node, so snapshots can be compared byte for
 * byte. Decoding checks shapes at this boundary: a malformed entry becomes a refused command on
 * every node alike, never an exception that would stop every replica at the same index.
 */
import type { JsonValue } from '../pipeline/types.js';
import { CairnError } from '../util/errors.js';
import type { ApplyOutcome } from './apply.js';
import { applyCommand } from './apply.js';
import type { Command, CommandKind } from './commands.js';
import { refuse } from './draft.js';
import type { ApplyMeta, ClusterState } from './types.js';
import { attemptReportsMax } from './constants.js';

/** JSON with object keys sorted at every level; `undefined` properties are left out, as JSON does. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`cannot encode ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Snapshot bytes of the state. */
export function encodeState(state: ClusterState): Uint8Array {
  return encoder.encode(canonicalJson(state));
}

const stateKeys = ['version', 'appliedIndex', 'clockMs', 'nextRunSeq', 'nextJobSeq', 'openJobCount', 'jobCount', 'nodes', 'jobs', 'runs', 'pipelines', 'config'] as const;

/** Reads snapshot bytes; throws CairnError STORAGE_CORRUPT when they are not a state. */
export function decodeState(bytes: Uint8Array): ClusterState {
  let v: unknown;
  try {
    v = JSON.parse(decoder.decode(bytes));
  } catch (e) {
    throw new CairnError('STORAGE_CORRUPT', 'cluster snapshot is not valid JSON', {}, { cause: e });
  }
  if (typeof v !== 'object' || v === null || (v as { version?: unknown }).version !== 1) {
    throw new CairnError('STORAGE_CORRUPT', 'cluster snapshot has an unknown version', {});
  }
  for (const k of stateKeys) {
    if (!(k in v)) throw new CairnError('STORAGE_CORRUPT', `cluster snapshot lacks ${k}`, { key: k });
  }
  return v as ClusterState;
}

type FieldType = 'string' | 'number' | 'boolean' | 'string[]' | 'record' | 'string-record' | 'json' | 'plan' | 'source' | 'role' | 'status' | 'reports';
type Schema = Record<string, FieldType | `?${FieldType}`>;

const fence: Schema = { job: 'string', attempt: 'number', node: 'string' };

/** Fields of each kind; `?` marks an optional field (absent or null). */
const schemas: { [K in CommandKind]: Schema } = {
  NodeJoined: { node: 'string', id: 'string', bootId: 'string', addrs: 'string[]', os: 'string', arch: 'string', labels: 'string[]', slots: 'number', role: '?role', api: '?string' },
  NodeHeartbeat: { node: 'string' },
  NodeLabelsSet: { node: 'string', labels: 'string[]', slots: '?number' },
  NodeDraining: { node: 'string', draining: 'boolean' },
  NodeRoleSet: { node: 'string', role: 'role' },
  NodeDown: { node: 'string', reason: 'string', ifLastHeartbeatMs: '?number' },
  NodeRemoved: { node: 'string' },
  RunSubmitted: { plan: 'plan', pipeline: '?string', source: '?source', labels: '?string[]', inputs: '?record', requestId: '?string', submittedBy: '?string' },
  JobPlaced: fence,
  AttemptStarted: { ...fence, startedAtMs: '?number' },
  AttemptFinished: { ...fence, status: 'status', exitCode: '?number', outputs: '?string-record', logDigest: '?string', error: '?string' },
  AttemptReports: { node: 'string', reports: 'reports' },
  JobCancelled: { job: 'string', reason: '?string' },
  PipelineAdded: { name: 'string', fileName: 'string', text: 'string', repo: '?string', ref: '?string' },
  PipelineRemoved: { name: 'string' },
  ConfigSet: { key: 'string', value: 'json' },
  Tick: {},
};

/** Every command kind, from the schema table (which the compiler keeps complete). */
export const commandKinds = Object.keys(schemas) as CommandKind[];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const isStrings = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');

function planProblem(v: unknown): string | null {
  if (!isRecord(v) || !isRecord(v.pipeline) || !Array.isArray(v.instances)) return 'plan needs pipeline and instances';
  if (typeof v.pipeline.name !== 'string' || !Array.isArray(v.pipeline.jobs)) return 'plan.pipeline needs name and jobs';
  for (const j of v.pipeline.jobs as unknown[]) {
    if (!isRecord(j) || typeof j.id !== 'string' || !isStrings(j.labels)) return 'a job spec needs id and labels';
    if (!isRecord(j.retry) || typeof j.retry.max !== 'number' || !isStrings(j.retry.on)) return `job ${j.id} needs retry`;
    if (j.if !== undefined && typeof j.if !== 'string') return `job ${j.id}: if must be a string`;
    if (j.matrix !== undefined && (!isRecord(j.matrix) || typeof j.matrix.failFast !== 'boolean')) return `job ${j.id}: bad matrix`;
  }
  for (const i of v.instances as unknown[]) {
    if (!isRecord(i) || typeof i.key !== 'string' || typeof i.jobId !== 'string' || !isRecord(i.matrix) || !isStrings(i.needs)) return 'an instance needs key, jobId, matrix, needs';
    if (typeof i.name !== 'string' || !isStrings(i.runsOn) || typeof i.continueOnError !== 'boolean') return `instance ${i.key} needs name, runsOn, continueOnError`;
  }
  return null;
}

function fieldProblem(type: FieldType, v: unknown): string | null {
  switch (type) {
    case 'string': return typeof v === 'string' ? null : 'a string';
    case 'number': return typeof v === 'number' && Number.isFinite(v) ? null : 'a number';
    case 'boolean': return typeof v === 'boolean' ? null : 'a boolean';
    case 'string[]': return isStrings(v) ? null : 'a list of strings';
    case 'record': return isRecord(v) ? null : 'an object';
    case 'string-record': return isRecord(v) && Object.values(v).every((x) => typeof x === 'string') ? null : 'an object of strings';
    case 'json': return v === undefined ? 'a value' : null;
    case 'plan': return planProblem(v);
    case 'source': return isRecord(v) && typeof v.repo === 'string' && (v.ref === undefined || v.ref === null || typeof v.ref === 'string')
      && (v.authorEmail === undefined || typeof v.authorEmail === 'string') ? null : 'a { repo, ref, authorEmail? }';
    case 'role': return v === 'voter' || v === 'learner' ? null : 'voter or learner';
    case 'status': return v === 'succeeded' || v === 'failed' || v === 'cancelled' || v === 'skipped' || v === 'lost' ? null : 'succeeded, failed, cancelled, skipped or lost';
    case 'reports': return reportsProblem(v);
  }
}

/** The fields of one AttemptReports item: a started report, or an AttemptFinished without kind and node. */
const reportSchema: Schema = { job: 'string', attempt: 'number', startedAtMs: '?number', exitCode: '?number', outputs: '?string-record', logDigest: '?string', error: '?string' };

function reportsProblem(v: unknown): string | null {
  if (!Array.isArray(v) || v.length === 0 || v.length > attemptReportsMax) return `a list of 1 to ${attemptReportsMax} reports`;
  for (const r of v as unknown[]) {
    if (!isRecord(r)) return 'a list of report objects';
    if (r.status !== 'running' && fieldProblem('status', r.status) !== null) return 'reports whose status is running, succeeded, failed, cancelled, skipped or lost';
    const bad = schemaProblem(reportSchema, r, {});
    if (bad !== null) return `reports whose ${bad.field} is ${bad.problem}`;
  }
  return null;
}

/**
 * Checks `v` against a schema, copying the fields it has into `out` (optional ones left out
 * when absent or null); the first field that is wrong, with what it should be, or null.
 */
function schemaProblem(schema: Schema, v: Record<string, unknown>, out: Record<string, unknown>): { field: string; problem: string } | null {
  for (const [field, spec] of Object.entries(schema)) {
    const optional = spec.startsWith('?');
    const value = v[field];
    if (optional && (value === undefined || value === null)) continue;
    const problem = fieldProblem((optional ? spec.slice(1) : spec) as FieldType, value);
    if (problem !== null) return { field, problem };
    out[field] = value;
  }
  return null;
}

/** Checks a command's shape; returns it with null optional fields removed. Throws CairnError INVALID_INPUT. */
export function validateCommand(v: unknown): Command {
  if (!isRecord(v) || typeof v.kind !== 'string' || !Object.hasOwn(schemas, v.kind)) {
    throw new CairnError('INVALID_INPUT', `unknown command kind ${isRecord(v) ? String(v.kind) : typeof v}`, {});
  }
  const schema = schemas[v.kind as CommandKind];
  const out: Record<string, unknown> = { kind: v.kind };
  const bad = schemaProblem(schema, v, out);
  if (bad !== null) throw new CairnError('INVALID_INPUT', `${v.kind}.${bad.field} must be ${bad.problem}`, { kind: v.kind, field: bad.field });
  return out as unknown as Command;
}

/** Bytes for a log entry. */
export function encodeCommand(cmd: Command): Uint8Array {
  return encoder.encode(canonicalJson(validateCommand(cmd)));
}

/** Reads a log entry; throws CairnError INVALID_INPUT for bytes that are not a command. */
export function decodeCommand(bytes: Uint8Array): Command {
  let v: unknown;
  try {
    v = JSON.parse(decoder.decode(bytes));
  } catch (e) {
    throw new CairnError('INVALID_INPUT', 'log entry is not a JSON command', {}, { cause: e });
  }
  return validateCommand(v as JsonValue);
}

/** Applies a committed entry's bytes: a malformed entry is refused alike on every node. */
export function applyEntry(state: ClusterState, bytes: Uint8Array, meta: ApplyMeta): ApplyOutcome {
  let cmd: Command;
  try {
    cmd = decodeCommand(bytes);
  } catch (e) {
    if (!(e instanceof CairnError)) throw e;
    if (meta.index <= state.appliedIndex) return { state, effects: [], result: refuse('CONFLICT', `entry ${meta.index} was already applied`, { index: meta.index }) };
    return { state: { ...state, appliedIndex: meta.index, clockMs: Math.max(state.clockMs, meta.timeMs) }, effects: [], result: refuse(e.code, e.message, { index: meta.index }) };
  }
  return applyCommand(state, cmd, meta);
}
