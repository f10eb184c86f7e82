/** Handlers of RunSubmitted (a plan becomes cluster jobs) and JobCancelled. */
import type { Plan } from '../pipeline/types.js';
import { CairnError } from '../util/errors.js';
import type { LabelTerm } from '../scheduler/index.js';
import { canEverRun, formatLabelTerm, parseLabelTerms, toNodeLabels, unplaceableError } from '../scheduler/index.js';
import type { CommandOf } from './commands.js';
import { openJobsMax, reasonLengthMax, retryMaxLimit, runJobsMax } from './constants.js';
import type { Draft } from './draft.js';
import { accepted, refuse } from './draft.js';
import type { CommandResult } from './effects.js';
import { instanceTerms } from './job-terms.js';
import { cancelJob, isTerminal, settleRun } from './lifecycle.js';
import type { JobRecord, RunRecord } from './types.js';

function fromError(e: unknown): CommandResult {
  if (e instanceof CairnError) return refuse(e.code, e.message, JSON.parse(JSON.stringify(e.data)) as Record<string, never>);
  throw e;
}

/** Checks the plan's shape: bounded, unique keys, needs pointing backwards, a spec per job. */
function checkPlan(plan: Plan): CommandResult | null {
  const n = plan.instances.length;
  if (n === 0) return refuse('PIPELINE_INVALID', 'the pipeline has no jobs to run');
  if (n > runJobsMax) return refuse('PIPELINE_INVALID', `a run has at most ${runJobsMax} jobs, this one ${n}`, { jobs: n });
  const seen = new Set<string>();
  for (const inst of plan.instances) {
    if (seen.has(inst.key)) return refuse('PIPELINE_INVALID', `job ${inst.key} appears twice in the plan`, { job: inst.key });
    for (const need of inst.needs) {
      if (!seen.has(need)) return refuse('PIPELINE_INVALID', `job ${inst.key} needs ${need}, which does not come before it`, { job: inst.key, need });
    }
    const spec = plan.pipeline.jobs.find((j) => j.id === inst.jobId);
    if (spec === undefined) return refuse('PIPELINE_INVALID', `job ${inst.key} has no definition ${inst.jobId}`, { job: inst.key });
    if (!Number.isInteger(spec.retry.max) || spec.retry.max < 0 || spec.retry.max > retryMaxLimit) {
      return refuse('PIPELINE_INVALID', `job ${inst.key}: retry.max must be 0 to ${retryMaxLimit}`, { job: inst.key });
    }
    seen.add(inst.key);
  }
  return null;
}


export function runSubmitted(d: Draft, c: CommandOf<'RunSubmitted'>): CommandResult {
  if (c.requestId !== undefined) {
    const dup = Object.values(d.state.runs).find((r) => r.requestId === c.requestId);
    if (dup !== undefined) return { ok: true, run: { id: dup.id, jobs: [...dup.jobs], duplicate: true } };
  }
  const bad = checkPlan(c.plan);
  if (bad !== null) return bad;
  const open = d.state.openJobCount;
  if (open + c.plan.instances.length > openJobsMax) {
    return refuse('CONFLICT', `the queue is full (${open} jobs have not ended, at most ${openJobsMax})`, { open, reason: 'queue-full' });
  }
  let extra: string[];
  const terms: LabelTerm[][] = [];
  try {
    extra = parseLabelTerms(c.labels ?? []).map(formatLabelTerm);
    for (const inst of c.plan.instances) {
      const spec = c.plan.pipeline.jobs.find((j) => j.id === inst.jobId)!;
      terms.push(instanceTerms(spec, inst, extra, d.state.config.labelAliases));
    }
  } catch (e) {
    return fromError(e);
  }
  // Refuse at submit what no known node could ever run (SPEC.md: exit 2 with the labels that exist).
  const known = Object.values(d.state.nodes).map((n) => toNodeLabels(n.labels));
  for (const [i, t] of terms.entries()) {
    const can = canEverRun(t, known);
    if (!can.ok) return fromError(unplaceableError(t, can.labelsThatExist, c.plan.instances[i]!.key));
  }

  const seqs = d.takeSeqs(c.plan.instances.length);
  d.countJobs(c.plan.instances.length, c.plan.instances.length);
  const runId = String(seqs.run);
  const idOf = new Map(c.plan.instances.map((inst, i) => [inst.key, `${runId}.${i + 1}`]));
  const run: RunRecord = {
    id: runId,
    pipeline: c.pipeline ?? c.plan.pipeline.name,
    plan: c.plan,
    jobs: [...idOf.values()],
    state: 'running',
    source: c.source ?? null,
    labels: extra,
    inputs: c.inputs ?? {},
    requestId: c.requestId ?? null,
    submittedBy: c.submittedBy ?? null,
    submittedAtMs: d.now,
    finishedAtMs: null,
  };
  d.putRun(run);
  c.plan.instances.forEach((inst, i) => {
    const spec = c.plan.pipeline.jobs.find((j) => j.id === inst.jobId)!;
    const job: JobRecord = {
      id: idOf.get(inst.key)!,
      run: runId,
      key: inst.key,
      jobId: inst.jobId,
      name: inst.name !== '' ? inst.name : inst.key,
      seq: seqs.job + i,
      labels: terms[i]!.map(formatLabelTerm),
      needs: inst.needs.map((k) => idOf.get(k)!),
      state: 'queued',
      result: null,
      node: null,
      reason: null,
      attempts: [],
      outputs: {},
      retry: { max: spec.retry.max, on: [...spec.retry.on] },
      if: spec.if ?? null,
      continueOnError: inst.continueOnError,
      submittedAtMs: d.now,
      finishedAtMs: null,
    };
    d.putJob(job);
    d.event({ type: 'job', job: job.id, run: runId, name: job.name, state: 'queued', attempt: null, node: null, reason: null });
  });
  settleRun(d, runId);
  return { ok: true, run: { id: runId, jobs: [...run.jobs], duplicate: false } };
}

export function jobCancelled(d: Draft, c: CommandOf<'JobCancelled'>): CommandResult {
  const reason = (c.reason ?? 'cancelled by request').slice(0, reasonLengthMax);
  const run = d.run(c.job);
  const job = d.job(c.job);
  if (run !== undefined) {
    if (run.state !== 'running') return refuse('CONFLICT', `run ${run.id} already ended (${run.state})`, { run: run.id, reason: 'already-ended' });
    for (const id of run.jobs) cancelJob(d, id, reason);
    settleRun(d, run.id);
    return accepted;
  }
  if (job === undefined) return refuse('NOT_FOUND', `no job or run ${c.job}`, { job: c.job });
  if (isTerminal(job)) return refuse('CONFLICT', `job ${job.id} already ended (${job.state})`, { job: job.id, reason: 'already-ended' });
  cancelJob(d, job.id, reason);
  settleRun(d, job.run);
  return accepted;
}
