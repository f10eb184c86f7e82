/** The empty cluster state, and pruning of old finished runs. */
import { defaultConfig } from './config.js';
import { finishedJobsRetainedMax } from './constants.js';
import type { Draft } from './draft.js';
import type { ClusterState } from './types.js';

/** The state before the first committed entry. */
export function emptyState(): ClusterState {
  return { version: 1, appliedIndex: 0, clockMs: 0, nextRunSeq: 1, nextJobSeq: 1, nodes: {}, jobs: {}, runs: {}, pipelines: {}, config: defaultConfig() };
}

/**
 * Drops the oldest finished runs (with their jobs) while more than finishedJobsRetainedMax
 * finished jobs are kept; the git history keeps every attempt. Whole runs go, so `needs` inside
 * a kept run always resolve.
 */
export function pruneFinished(d: Draft): void {
  const finished = Object.values(d.state.runs).filter((r) => r.state !== 'running').sort((a, b) => Number(a.id) - Number(b.id));
  let count = 0;
  for (const r of finished) count += r.jobs.length;
  for (const r of finished) {
    if (count <= finishedJobsRetainedMax) break;
    for (const id of r.jobs) d.deleteJob(id);
    d.deleteRun(r.id);
    count -= r.jobs.length;
  }
}
