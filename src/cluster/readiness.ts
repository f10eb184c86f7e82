/**
 * Whether a queued job may be placed now, apart from nodes: its needs have all ended and let it
 * run, and its matrix's `max-parallel` leaves room. Shared by schedule() and the JobPlaced
 * handler, so every placement is checked again, identically, when it is applied.
 */
import type { ClusterState, JobRecord } from './types.js';
import { needsGate } from './needs.js';

export type Readiness = { ready: true } | { ready: false; why: string };

/** Attempts of the job's matrix siblings (same run, same pipeline job) placed or running. */
function activeSiblings(state: ClusterState, job: JobRecord): number {
  const run = state.runs[job.run];
  if (run === undefined) return 0;
  let n = 0;
  for (const id of run.jobs) {
    const s = state.jobs[id];
    if (s !== undefined && s.jobId === job.jobId && (s.state === 'placed' || s.state === 'running')) n++;
  }
  return n;
}

function maxParallelOf(state: ClusterState, job: JobRecord): number | undefined {
  const run = state.runs[job.run];
  return run?.plan.pipeline.jobs.find((j) => j.id === job.jobId)?.matrix?.maxParallel;
}

export function readiness(state: ClusterState, job: JobRecord): Readiness {
  if (job.state !== 'queued') return { ready: false, why: `job is ${job.state}` };
  const gate = needsGate(state, job);
  if (gate.kind === 'wait') {
    const names = gate.pending.map((id) => {
      const n = state.jobs[id];
      return n === undefined ? id : `${n.name} (${n.state})`;
    });
    return { ready: false, why: `waiting for needs: ${names.join(', ')}` };
  }
  if (gate.kind === 'skip') return { ready: false, why: gate.reason };
  const max = maxParallelOf(state, job);
  if (max !== undefined && activeSiblings(state, job) >= max) {
    return { ready: false, why: `max-parallel ${max} reached for ${job.jobId}` };
  }
  return { ready: true };
}
