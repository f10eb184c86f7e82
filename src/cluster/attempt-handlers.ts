/**
 * Handlers of the attempt commands: JobPlaced (a placement, made on apply by the scheduler), AttemptStarted and
 * AttemptFinished (the node's reports). Reports are fenced: only the job's current attempt,
 * from that attempt's node, before it ended, is accepted; anything else is refused with why.
 */
import type { JsonValue } from '../pipeline/types.js';
import { matches, toNodeLabels } from '../scheduler/index.js';
import type { CommandOf } from './commands.js';
import { jobOutputsBytesMax, reasonLengthMax } from './constants.js';
import type { Draft } from './draft.js';
import { accepted, refuse } from './draft.js';
import type { CommandResult } from './effects.js';
import { activeAttempt, endAttempt, finishJob, retryOrEnd, setJobState, settleRun, specOf } from './lifecycle.js';
import { needsContext } from './needs.js';
import { readiness } from './readiness.js';
import { termsOf } from './schedule.js';
import type { AttemptRecord, JobRecord } from './types.js';

export function jobPlaced(d: Draft, c: CommandOf<'JobPlaced'>): CommandResult {
  const job = d.job(c.job);
  if (job === undefined) return refuse('NOT_FOUND', `no job ${c.job}`, { job: c.job });
  const data = { job: c.job, attempt: c.attempt, node: c.node };
  if (job.state !== 'queued') return refuse('CONFLICT', `job ${c.job} is ${job.state}, not queued`, { ...data, reason: 'not-queued' });
  const next = job.attempts.length + 1;
  if (c.attempt !== next) return refuse('CONFLICT', `job ${c.job} would be attempt ${next}, not ${c.attempt}`, { ...data, reason: 'stale-attempt' });
  const ready = readiness(d.state, job);
  if (!ready.ready) return refuse('CONFLICT', `job ${c.job} cannot be placed: ${ready.why}`, { ...data, reason: 'not-ready' });
  const node = d.node(c.node);
  if (node === undefined) return refuse('NOT_FOUND', `no node named ${c.node}`, data);
  if (node.state !== 'up' || node.draining || node.running >= node.slots) {
    return refuse('CONFLICT', `node ${c.node} cannot take a job (${node.state}${node.draining ? ', draining' : ''}, ${node.running}/${node.slots} slots)`, { ...data, reason: 'node-unavailable' });
  }
  if (!matches(termsOf(job.labels), toNodeLabels(node.labels))) {
    return refuse('CONFLICT', `node ${c.node} does not match job ${c.job}'s labels ${job.labels.join(', ')}`, { ...data, reason: 'labels' });
  }
  const attempt: AttemptRecord = { n: c.attempt, node: c.node, state: 'placed', exitCode: null, placedAtMs: d.now, startedAtMs: null, finishedAtMs: null, logDigest: null, reason: null };
  const placed = setJobState(d, { ...job, node: c.node, attempts: [...job.attempts, attempt] }, 'placed', null);
  d.addRunning(c.node, 1);
  const run = d.run(job.run)!;
  const spec = specOf(run, job.jobId);
  const instance = run.plan.instances.find((i) => i.key === job.key)!;
  d.emit({
    kind: 'start-attempt',
    node: c.node,
    job: job.id,
    attempt: c.attempt,
    run: run.id,
    pipelineName: run.pipeline,
    pipeline: run.plan.pipeline,
    spec,
    instance,
    needs: needsContext(d.state, placed),
    source: run.source,
    inputs: run.inputs,
    labels: placed.labels,
  });
  return accepted;
}

/** The fence: the report must name the current, unfinished attempt, from its own node. */
function fence(d: Draft, c: { job: string; attempt: number; node: string }): { job: JobRecord; attempt: AttemptRecord } | CommandResult {
  const job = d.job(c.job);
  const data: Record<string, JsonValue> = { job: c.job, attempt: c.attempt, node: c.node };
  if (job === undefined) return refuse('NOT_FOUND', `no job ${c.job}`, data);
  const current = job.attempts[job.attempts.length - 1];
  if (current === undefined || c.attempt > current.n) return refuse('CONFLICT', `job ${c.job} has no attempt ${c.attempt}`, { ...data, reason: 'unknown-attempt' });
  if (c.attempt < current.n) {
    return refuse('CONFLICT', `attempt ${c.attempt} of job ${c.job} is stale: attempt ${current.n} is current`, { ...data, current: current.n, reason: 'stale-attempt' });
  }
  if (c.node !== current.node) {
    return refuse('CONFLICT', `attempt ${c.attempt} of job ${c.job} runs on ${current.node}, not ${c.node}`, { ...data, current: current.n, reason: 'wrong-node' });
  }
  if (activeAttempt(job) === undefined) {
    return refuse('CONFLICT', `attempt ${c.attempt} of job ${c.job} already ended (${current.state})`, { ...data, state: current.state, reason: 'already-ended' });
  }
  return { job, attempt: current };
}

export function attemptStarted(d: Draft, c: CommandOf<'AttemptStarted'>): CommandResult {
  const f = fence(d, c);
  if ('ok' in f) return f;
  if (f.attempt.state !== 'placed') return refuse('CONFLICT', `attempt ${c.attempt} of job ${c.job} already started`, { job: c.job, attempt: c.attempt, reason: 'already-started' });
  // The node's own time of the start, kept between the placement and this entry: another
  // node's clock (the placement's) or a report's delay must not make the record run backwards.
  const startedAtMs = Math.min(d.now, Math.max(f.attempt.placedAtMs, c.startedAtMs ?? d.now));
  const attempt: AttemptRecord = { ...f.attempt, state: 'running', startedAtMs };
  setJobState(d, { ...f.job, attempts: [...f.job.attempts.slice(0, -1), attempt] }, 'running', null);
  return accepted;
}

function outputsSize(outputs: Record<string, string>): number {
  let n = 0;
  for (const [k, v] of Object.entries(outputs)) n += k.length + v.length;
  return n;
}

/** Applies each report as its own command would be, in order; one result per report. */
export function attemptReports(d: Draft, c: CommandOf<'AttemptReports'>): CommandResult {
  const reports = c.reports.map((r): CommandResult => {
    if (r.status === 'running') return attemptStarted(d, { kind: 'AttemptStarted', job: r.job, attempt: r.attempt, node: c.node, startedAtMs: r.startedAtMs ?? null });
    return attemptFinished(d, { ...r, kind: 'AttemptFinished', node: c.node });
  });
  return { ok: true, reports };
}

export function attemptFinished(d: Draft, c: CommandOf<'AttemptFinished'>): CommandResult {
  const f = fence(d, c);
  if ('ok' in f) return f;
  let outputs = c.outputs ?? {};
  let note: string | null = c.error ? c.error.slice(0, reasonLengthMax) : null;
  // Oversized outputs are dropped rather than the report refused, so the job still ends.
  if (outputsSize(outputs) > jobOutputsBytesMax) {
    outputs = {};
    note = `outputs larger than ${jobOutputsBytesMax} bytes were dropped${note ? `; ${note}` : ''}`;
  }
  const exit = c.exitCode === undefined || c.exitCode === null ? '' : ` (exit ${c.exitCode})`;
  const attemptState = c.status === 'skipped' ? 'cancelled' : c.status;
  const reason = c.status === 'skipped' ? 'skipped: if: condition was false' : c.status === 'succeeded' ? note : `${c.status}${exit}${note ? `: ${note}` : ''}`;
  d.putJob({ ...f.job, outputs: { ...outputs } });
  endAttempt(d, c.job, attemptState, { exitCode: c.exitCode ?? null, logDigest: c.logDigest ?? null, reason, stop: false });
  switch (c.status) {
    case 'succeeded':
      finishJob(d, c.job, 'succeeded', 'success', null);
      break;
    case 'failed':
      retryOrEnd(d, c.job, 'failure', `failed${exit}${note ? `: ${note}` : ''}`);
      break;
    case 'cancelled':
      finishJob(d, c.job, 'cancelled', 'cancelled', reason);
      break;
    case 'skipped':
      finishJob(d, c.job, 'cancelled', 'skipped', reason);
      break;
    case 'lost':
      retryOrEnd(d, c.job, 'node-lost', `lost${note ? `: ${note}` : ''}`);
      break;
  }
  settleRun(d, f.job.run);
  return accepted;
}
