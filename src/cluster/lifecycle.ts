/**
 * The transitions of jobs and attempts, shared by the command handlers. Each reads the current
 * record from the draft and writes a new one; callers end with settleRun for the runs touched.
 */
import { assert } from '../util/errors.js';
import type { JobSpec } from '../pipeline/types.js';
import type { Draft } from './draft.js';
import { needsGate } from './needs.js';
import { retryReason, shouldRetry, type RetryCause } from './retry.js';
import type { AttemptRecord, AttemptState, JobRecord, JobResult, JobState, RunRecord, RunState } from './types.js';
import { terminalJobStates } from './types.js';

const activeAttemptStates: ReadonlySet<AttemptState> = new Set(['placed', 'running']);

/** The job's latest attempt when it is placed or running. */
export function activeAttempt(job: JobRecord): AttemptRecord | undefined {
  const a = job.attempts[job.attempts.length - 1];
  return a !== undefined && activeAttemptStates.has(a.state) ? a : undefined;
}

export function isTerminal(job: JobRecord): boolean {
  return terminalJobStates.has(job.state);
}

/** The job's spec in its run's pipeline. */
export function specOf(run: RunRecord, jobId: string): JobSpec {
  const spec = run.plan.pipeline.jobs.find((j) => j.id === jobId);
  assert(spec !== undefined, `run ${run.id} has no spec for job ${jobId}`);
  return spec;
}

function jobEvent(d: Draft, job: JobRecord): void {
  d.event({ type: 'job', job: job.id, run: job.run, name: job.name, state: job.state, attempt: job.attempts.length || null, node: job.node, reason: job.reason });
}

/** Writes a job and announces its state. */
export function setJobState(d: Draft, job: JobRecord, state: JobState, reason: string | null): JobRecord {
  const next = { ...job, state, reason };
  d.putJob(next);
  jobEvent(d, next);
  return next;
}

/**
 * Ends the job's active attempt: frees its slot, writes one history record, and asks its node to
 * stop it when the cluster (not the node) ended it.
 */
export function endAttempt(
  d: Draft,
  jobId: string,
  state: Exclude<AttemptState, 'placed' | 'running'>,
  fields: { exitCode?: number | null; logDigest?: string | null; reason: string | null; stop: boolean },
): JobRecord {
  const job = d.job(jobId);
  assert(job !== undefined, `end attempt of unknown job ${jobId}`);
  const current = activeAttempt(job);
  assert(current !== undefined, `job ${jobId} has no active attempt`);
  const ended: AttemptRecord = {
    ...current,
    state,
    exitCode: fields.exitCode ?? null,
    logDigest: fields.logDigest ?? null,
    finishedAtMs: d.now,
    reason: fields.reason,
  };
  const next: JobRecord = { ...job, attempts: [...job.attempts.slice(0, -1), ended] };
  d.putJob(next);
  d.addRunning(ended.node, -1);
  if (fields.stop) d.emit({ kind: 'stop-attempt', node: ended.node, job: jobId, attempt: ended.n, reason: fields.reason ?? state });
  const run = d.run(job.run);
  assert(run !== undefined, `job ${jobId} of unknown run ${job.run}`);
  d.emit({
    kind: 'history',
    record: {
      run: run.id,
      pipeline: run.pipeline,
      job: jobId,
      name: job.name,
      key: job.key,
      labels: job.labels,
      attempt: ended.n,
      node: ended.node,
      state,
      exitCode: ended.exitCode,
      placedAtMs: ended.placedAtMs,
      startedAtMs: ended.startedAtMs,
      finishedAtMs: d.now,
      logDigest: ended.logDigest,
      reason: ended.reason,
      source: run.source,
      index: d.meta.index,
    },
  });
  return next;
}

/** Ends a job for good. A failure cancels the rest of a fail-fast matrix. */
export function finishJob(d: Draft, jobId: string, state: Exclude<JobState, 'queued' | 'placed' | 'running'>, result: JobResult, reason: string | null): void {
  const job = d.job(jobId);
  assert(job !== undefined && !isTerminal(job), `finish of unknown or ended job ${jobId}`);
  assert(activeAttempt(job) === undefined, `finish of job ${jobId} with an active attempt`);
  const next = { ...job, state, result, reason, finishedAtMs: d.now };
  d.putJob(next);
  d.countJobs(0, -1);
  jobEvent(d, next);
  if (result === 'failure') failFast(d, next);
}

/** Cancels a job that has not ended, stopping its attempt if one is active. */
export function cancelJob(d: Draft, jobId: string, reason: string, result: JobResult = 'cancelled'): void {
  const job = d.job(jobId);
  if (job === undefined || isTerminal(job)) return;
  if (activeAttempt(job) !== undefined) endAttempt(d, jobId, 'cancelled', { reason, stop: true });
  finishJob(d, jobId, 'cancelled', result, reason);
}

function failFast(d: Draft, failed: JobRecord): void {
  const run = d.run(failed.run);
  assert(run !== undefined, `job ${failed.id} of unknown run`);
  const spec = specOf(run, failed.jobId);
  if (spec.matrix === undefined || !spec.matrix.failFast) return;
  for (const id of run.jobs) {
    const sib = d.job(id);
    if (sib && sib.id !== failed.id && sib.jobId === failed.jobId && !isTerminal(sib)) {
      cancelJob(d, id, `fail-fast: ${failed.name} failed`);
    }
  }
}

/**
 * An attempt ended badly (its node was lost, or it failed): re-queue the job as attempt n+1 when
 * the policy allows, otherwise end it (`lost` or `failed`).
 */
export function retryOrEnd(d: Draft, jobId: string, cause: RetryCause, detail: string): void {
  const job = d.job(jobId);
  assert(job !== undefined, `retry of unknown job ${jobId}`);
  const retried = shouldRetry(job.retry, job.attempts.length, cause);
  const reason = retryReason(job, cause, detail, retried);
  if (retried) {
    setJobState(d, job, 'queued', reason);
    return;
  }
  if (cause === 'node-lost') finishJob(d, jobId, 'lost', 'failure', reason);
  else finishJob(d, jobId, 'failed', job.continueOnError ? 'success' : 'failure', job.continueOnError ? `${reason} (continue-on-error)` : reason);
}

/** Loses the job's active attempt (its node is down or restarted) and applies the retry policy. */
export function loseAttempt(d: Draft, jobId: string, why: string): void {
  const job = endAttempt(d, jobId, 'lost', { reason: why, stop: true });
  retryOrEnd(d, job.id, 'node-lost', `lost: ${why}`);
}

/**
 * Skips the run's queued jobs whose needs ended without satisfying them (one pass in plan order
 * cascades, since the plan is topological), then ends the run once all its jobs have ended.
 */
export function settleRun(d: Draft, runId: string): void {
  const run = d.run(runId);
  if (run === undefined || run.state !== 'running') return;
  for (const id of run.jobs) {
    const job = d.job(id);
    if (job === undefined || job.state !== 'queued' || job.attempts.length > 0) continue;
    const gate = needsGate(d.state, job);
    if (gate.kind === 'skip') finishJob(d, id, 'cancelled', 'skipped', gate.reason);
  }
  const jobs = run.jobs.map((id) => d.job(id)).filter((j): j is JobRecord => j !== undefined);
  if (!jobs.every(isTerminal)) return;
  let state: RunState = 'succeeded';
  if (jobs.some((j) => j.result === 'failure')) state = 'failed';
  else if (jobs.some((j) => j.result === 'cancelled')) state = 'cancelled';
  d.putRun({ ...run, state, finishedAtMs: d.now });
  d.event({ type: 'run', run: run.id, pipeline: run.pipeline, state });
}
