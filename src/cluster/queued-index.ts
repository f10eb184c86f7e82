/**
 * The ids of the queued jobs, beside the jobs map they index: the scheduling pass runs after
 * every entry, and walking every run (a thousand soon after a busy minute) to find the few
 * queued jobs was most of its cost. The index is derived, never stored or replicated: it is
 * built by one scan the first time a jobs map is asked about (a restored snapshot, a cloned
 * state), then kept in step by Draft, the only writer of the maps.
 */
import type { JobRecord } from './types.js';

type JobsMap = Record<string, JobRecord>;

/** Keyed by the map itself: a map no one uses any more takes its index with it. */
const queuedByMap = new WeakMap<JobsMap, Set<string>>();

/** The ids of the map's queued jobs (read-only: Draft updates it). */
export function queuedJobIds(jobs: JobsMap): ReadonlySet<string> {
  let ids = queuedByMap.get(jobs);
  if (ids === undefined) {
    ids = new Set();
    for (const j of Object.values(jobs)) if (j.state === 'queued') ids.add(j.id);
    queuedByMap.set(jobs, ids);
  }
  return ids;
}

/** After `job` was written into `jobs`. */
export function noteJobWritten(jobs: JobsMap, job: JobRecord): void {
  const ids = queuedByMap.get(jobs);
  if (ids === undefined) return;
  if (job.state === 'queued') ids.add(job.id);
  else ids.delete(job.id);
}

/** After the job `id` was deleted from `jobs`. */
export function noteJobDeleted(jobs: JobsMap, id: string): void {
  queuedByMap.get(jobs)?.delete(id);
}
