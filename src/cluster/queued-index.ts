/**
 * The queued jobs, beside the jobs map they index: the scheduling pass runs after every entry,
 * and walking every run (a thousand soon after a busy minute) to find the few queued jobs was
 * most of its cost. The index is derived, never stored or replicated: it is built by one scan
 * the first time a jobs map is asked about (a restored snapshot, a cloned state), then kept in
 * step by Draft, the only writer of the maps.
 */
import type { JobRecord } from './types.js';

type JobsMap = Record<string, JobRecord>;

interface QueuedIndex {
  /** Ids of the queued jobs, in the order they were queued. */
  ids: Set<string>;
  /** The highest seq queued since the set was last empty. */
  seqMax: number;
  /** The set's order is seq order: jobs are queued oldest first, unless one is queued again (a retry). */
  bySeq: boolean;
}

/** Keyed by the map itself: a map no one uses any more takes its index with it. */
const indexes = new WeakMap<JobsMap, QueuedIndex>();

function indexOf(jobs: JobsMap): QueuedIndex {
  let ix = indexes.get(jobs);
  if (ix === undefined) {
    const queued = Object.values(jobs).filter((j) => j.state === 'queued').sort((a, b) => a.seq - b.seq);
    ix = { ids: new Set(queued.map((j) => j.id)), seqMax: queued.at(-1)?.seq ?? -Infinity, bySeq: true };
    indexes.set(jobs, ix);
  }
  return ix;
}

/** The ids of the map's queued jobs (read-only: Draft updates it). */
export function queuedJobIds(jobs: JobsMap): ReadonlySet<string> {
  return indexOf(jobs).ids;
}

/** The map's queued jobs, oldest (lowest seq) first; lazily when the index is already in that order. */
export function* queuedBySeq(jobs: JobsMap): Generator<JobRecord> {
  const ix = indexOf(jobs);
  if (!ix.bySeq) {
    yield* [...ix.ids].map((id) => jobs[id]!).sort((a, b) => a.seq - b.seq);
    return;
  }
  for (const id of ix.ids) yield jobs[id]!;
}

/** After `job` was written into `jobs`. */
export function noteJobWritten(jobs: JobsMap, job: JobRecord): void {
  const ix = indexes.get(jobs);
  if (ix === undefined) return;
  if (job.state !== 'queued') {
    forget(ix, job.id);
    return;
  }
  if (ix.ids.has(job.id)) return;
  if (job.seq < ix.seqMax) ix.bySeq = false;
  ix.seqMax = Math.max(ix.seqMax, job.seq);
  ix.ids.add(job.id);
}

/** After the job `id` was deleted from `jobs`. */
export function noteJobDeleted(jobs: JobsMap, id: string): void {
  const ix = indexes.get(jobs);
  if (ix !== undefined) forget(ix, id);
}

function forget(ix: QueuedIndex, id: string): void {
  ix.ids.delete(id);
  // An empty queue is in order again, whatever came before.
  if (ix.ids.size === 0) {
    ix.seqMax = -Infinity;
    ix.bySeq = true;
  }
}
