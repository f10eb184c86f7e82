import { mkdirSync } from 'node:fs';
import type { ExpressionContext, JobSpec, JobStatus } from '../pipeline/index.js';
import { evaluateCondition, interpolate, jobOf } from '../pipeline/index.js';
import { JobLog } from './job-log.js';
import { rootFrame, JobState } from './job-state.js';
import { SecretSet } from './masker.js';
import { runStepList } from './step-list.js';
import type { Conclusion, JobResult, JobRunSpec, NeedResult } from './types.js';

/** A minute as the unit of `timeout-minutes`. */
const minuteMs = 60_000;

/**
 * Runs one job instance on this machine: evaluates its `if:` against its needs, runs its
 * steps in its workspace with their output going to its log file (masked), enforces
 * `timeout-minutes`, evaluates its `outputs`, and ends every process its steps left behind.
 * Never throws for anything a pipeline can do: failures come back as the result.
 */
export async function runJob(spec: JobRunSpec): Promise<JobResult> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const job = jobOf({ pipeline: spec.pipeline, instances: [] }, spec.instance);
  const secrets = spec.secretSet ?? new SecretSet();
  for (const v of Object.values(spec.secrets ?? {})) secrets.add(v);
  const result: JobResult = {
    key: spec.instance.key,
    jobId: spec.instance.jobId,
    name: spec.instance.name,
    outcome: 'skipped',
    conclusion: 'skipped',
    outputs: {},
    steps: [],
    startedAt,
    durationMs: 0,
    summary: '',
  };
  if (spec.signal?.aborted || spec.forceSignal?.aborted) return { ...result, outcome: 'cancelled', conclusion: 'cancelled' };
  let decision: boolean;
  try {
    decision = shouldRun(job, spec);
  } catch (err) {
    return { ...result, outcome: 'failure', conclusion: 'failure', error: secrets.maskString(messageOf(err)) };
  }
  if (!decision) return result;

  let log: JobLog;
  try {
    // Synchronous: a handful of small syscalls, cheaper than thread-pool round trips when
    // many jobs start at once on a busy machine.
    if (spec.dirsExist !== true) {
      mkdirSync(spec.workspace, { recursive: true });
      mkdirSync(spec.tempDir, { recursive: true });
    }
    log = spec.logFd === undefined ? JobLog.open(spec.logFile, spec.events?.onOutput) : JobLog.attach(spec.logFile, spec.logFd, spec.events?.onOutput);
  } catch (err) {
    return { ...result, outcome: 'failure', conclusion: 'failure', error: `could not set up the job: ${messageOf(err)}`, durationMs: performance.now() - t0 };
  }
  result.logFile = spec.logFile;
  const timeoutMs = spec.instance.timeoutMinutes === undefined ? undefined : spec.instance.timeoutMinutes * minuteMs;
  const timeout = new AbortController();
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => timeout.abort(), timeoutMs);
  const cancel = AbortSignal.any([timeout.signal, ...(spec.signal ? [spec.signal] : []), ...(spec.forceSignal ? [spec.forceSignal] : [])]);
  let state: JobState | undefined;
  try {
    state = new JobState(spec, job, log, secrets, cancel);
    const frame = rootFrame(spec);
    result.steps = await runStepList(state, job.steps, frame);
    const outcome: Conclusion = timeout.signal.aborted ? 'failure' : cancel.aborted ? 'cancelled' : state.failed ? 'failure' : 'success';
    result.outcome = outcome;
    if (timeout.signal.aborted) result.error = `the job timed out after ${spec.instance.timeoutMinutes} min`;
    result.outputs = await jobOutputs(state, job, frame);
  } catch (err) {
    result.outcome = 'failure';
    result.error = secrets.maskString(messageOf(err));
  } finally {
    if (timer) clearTimeout(timer);
    if (state) {
      // Background processes steps left running end with the job, as on GitHub's runners.
      await Promise.all(state.lingering.map((p) => p.terminate(spec.forceSignal?.aborted ? 0 : undefined)));
      for (const out of state.outputs) await out.flush();
      result.summary = state.summary;
    }
  }
  result.conclusion = result.outcome === 'failure' && spec.instance.continueOnError ? 'success' : result.outcome;
  result.durationMs = performance.now() - t0;
  const allowed = result.outcome === 'failure' && result.conclusion === 'success' ? ' (continue-on-error)' : '';
  log.note(`● job ${result.key}: ${result.outcome}${allowed}${result.error === undefined ? '' : `: ${result.error}`} in ${(result.durationMs / 1000).toFixed(2)} s`, secrets);
  try {
    await log.close();
  } catch (err) {
    // The log is the record: a job whose log could not be written did not succeed.
    result.outcome = 'failure';
    result.conclusion = 'failure';
    result.error = `writing the log ${spec.logFile} failed: ${messageOf(err)}`;
  }
  return result;
}

/**
 * GitHub's job-level rule: the job's status is derived from its needs (any failed →
 * failure, any cancelled → cancelled), its `if:` defaults to `success()`, and a job whose
 * need was skipped is skipped unless its `if:` says otherwise.
 */
export function shouldRun(job: JobSpec, spec: Pick<JobRunSpec, 'instance' | 'needs' | 'pipeline' | 'secrets' | 'inputs' | 'github'>): boolean {
  const results = spec.instance.needsJobs.map((id) => spec.needs[id]?.result ?? 'skipped');
  const status: JobStatus = results.includes('cancelled') ? 'cancelled' : results.includes('failure') ? 'failure' : 'success';
  if (job.if === undefined && results.includes('skipped')) return false;
  return evaluateCondition(job.if, jobLevelContext(spec), status);
}

function jobLevelContext(spec: Pick<JobRunSpec, 'instance' | 'needs' | 'pipeline' | 'secrets' | 'inputs' | 'github'>): ExpressionContext {
  const needs: Record<string, NeedResult> = {};
  for (const id of spec.instance.needsJobs) needs[id] = spec.needs[id] ?? { result: 'skipped', outputs: {} };
  return {
    github: { ...(spec.github ?? {}), workflow: spec.pipeline.name, job: spec.instance.jobId },
    env: {},
    matrix: spec.instance.matrix,
    needs,
    steps: {},
    job: { status: 'success' },
    runner: {},
    inputs: spec.inputs ?? {},
    secrets: spec.secrets ?? {},
    strategy: spec.instance.strategy,
  };
}

async function jobOutputs(state: JobState, job: JobSpec, frame: ReturnType<typeof rootFrame>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const ctx = state.context(frame, state.envContext(frame));
  for (const [k, v] of Object.entries(job.outputs)) {
    try {
      out[k] = interpolate(v, ctx, state.status(frame), state.hooks);
    } catch (err) {
      out[k] = '';
      await state.log.line(`warning: output '${k}': ${messageOf(err)}`, state.secrets);
    }
  }
  return out;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
