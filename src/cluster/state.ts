/** The empty cluster state, and pruning of old finished runs. */
import { defaultConfig } from './config.js';
import { finishedJobsRetainedMax } from './constants.js';
import type { Draft } from './draft.js';
import type { ClusterState } from './types.js';

/** The state before the first committed entry. */
export function emptyState(): ClusterState {
  return { version: 1, appliedIndex: 0, clockMs: 0, nextRunSeq: 1, nextJobSeq: 1, openJobCount: 0, jobCount: 0, nodes: {}, jobs: {}, runs: {}, pipelines: {}, config: defaultConfig() };
}

/**
 * A stable copy of the state: the record maps are copied shallowly, which is enough because
 * records are replaced, never modified in place. O(records), for callers that keep an old state
 * (tests comparing before and after, a store writing a snapshot while applying continues).
 */
export function cloneState(state: ClusterState): ClusterState {
  return { ...state, nodes: { ...state.nodes }, jobs: { ...state.jobs }, runs: { ...state.runs }, pipelines: { ...state.pipelines } };
}

/** Pruning drops down to this fraction of the limit, so it runs once per many finished runs. */
const pruneToFraction = 0.9;

/**
 * Drops the oldest finished runs (with their jobs) once more than finishedJobsRetainedMax
 * finished jobs are kept; the git history keeps every attempt. Whole runs go, so `needs` inside
 * a kept run always resolve.
 */
export function pruneFinished(d: Draft): void {
  // Ended jobs of running runs count too; they are few, and only whole finished runs go.
  let count = d.state.jobCount - d.state.openJobCount;
  if (count <= finishedJobsRetainedMax) return;
  const target = Math.floor(finishedJobsRetainedMax * pruneToFraction);
  const finished = Object.values(d.state.runs).filter((r) => r.state !== 'running').sort((a, b) => Number(a.id) - Number(b.id));
  for (const r of finished) {
    if (count <= target) break;
    for (const id of r.jobs) d.deleteJob(id);
    d.deleteRun(r.id);
    count -= r.jobs.length;
  }
}
