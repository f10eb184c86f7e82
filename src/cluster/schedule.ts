/**
 * The scheduling pass: from the state, the placements to make now. applyCommand runs it at the
 * end of every entry and applies them in that same entry (so every node places alike); each
 * placement is a JobPlaced command, which re-checks everything, as one read from an old log does.
 */
import type { LabelTerm, NodeView, QueuedJob } from '../scheduler/index.js';
import { assign, hasFreeSlot, matches, parseLabelTerms, toNodeLabels } from '../scheduler/index.js';
import type { JobPlacedCommand } from './commands.js';
import { queuedBySeq } from './queued-index.js';
import { readiness } from './readiness.js';
import type { ClusterState, JobRecord } from './types.js';

/** Parsed terms are cached by their text; jobs alike share one array, so place() matches them once. */
const termsCacheMax = 4096;
const termsCache = new Map<string, LabelTerm[]>();

/** A job's terms, parsed (its labels were validated at submit, so this does not throw). */
export function termsOf(labels: readonly string[]): LabelTerm[] {
  const key = labels.join('\n');
  let t = termsCache.get(key);
  if (t === undefined) {
    // A plain cache, emptied when full: the result never depends on it, only the time.
    if (termsCache.size >= termsCacheMax) termsCache.clear();
    t = parseLabelTerms(labels);
    termsCache.set(key, t);
  }
  return t;
}

/** The scheduler's view of every known node. */
export function nodeViews(state: ClusterState): NodeView[] {
  return Object.values(state.nodes).map((n) => ({
    name: n.name,
    labels: toNodeLabels(n.labels),
    slots: n.slots,
    running: n.running,
    up: n.state === 'up',
    draining: n.draining,
  }));
}

/** Queued jobs whose needs and max-parallel let them start, oldest first. */
export function readyJobs(state: ClusterState): JobRecord[] {
  return [...readyInOrder(state)];
}

/** readyJobs, one at a time: a caller that needs only the oldest few stops early. */
function* readyInOrder(state: ClusterState): Generator<JobRecord> {
  // max-parallel is counted within the pass too: room left per (run, pipeline job).
  const room = new Map<string, number>();
  // Only the queued jobs, from their index (finished runs, most of the state, have none), in
  // age order without a sort in the usual case, and only those of runs still running.
  for (const job of queuedBySeq(state.jobs)) {
    if (state.runs[job.run]?.state !== 'running' || !readiness(state, job).ready) continue;
    const spec = state.runs[job.run]?.plan.pipeline.jobs.find((s) => s.id === job.jobId);
    const max = spec?.matrix?.maxParallel;
    if (max !== undefined) {
      const group = `${job.run}\u0000${job.jobId}`;
      const siblings = state.runs[job.run]?.jobs ?? [];
      const active = siblings.filter((id) => {
        const s = state.jobs[id];
        return s !== undefined && s.jobId === job.jobId && (s.state === 'placed' || s.state === 'running');
      }).length;
      const left = room.get(group) ?? max - active;
      if (left <= 0) continue;
      room.set(group, left - 1);
    }
    yield job;
  }
}

/** The placements the leader should propose now (see scheduler `place` for the rule). */
export function schedule(state: ClusterState): JobPlacedCommand[] {
  // It runs after every entry (heartbeats included): with no unfinished job there is nothing to place.
  if (state.openJobCount === 0) return [];
  const nodes = nodeViews(state);
  const open = nodes.filter(hasFreeSlot);
  // Under load every slot is often taken: then there is nothing to decide.
  if (open.length === 0) return [];
  const placed = (jobId: string, node: string): JobPlacedCommand => ({ kind: 'JobPlaced', job: jobId, attempt: state.jobs[jobId]!.attempts.length + 1, node });
  if (open.length === 1) {
    // One node with room (a busy cluster, where a slot has just freed): no choice between nodes
    // is left, so the pass gives that node the oldest ready jobs it matches, and the jobs behind
    // them (hundreds, when a burst was queued) need not be looked at.
    const node = open[0]!;
    const out: JobPlacedCommand[] = [];
    for (const job of readyInOrder(state)) {
      if (out.length === node.slots - node.running) break;
      if (matches(termsOf(job.labels), node.labels)) out.push(placed(job.id, node.name));
    }
    return out;
  }
  const jobs = readyJobs(state);
  if (jobs.length === 0) return [];
  const queue: QueuedJob[] = jobs.map((j) => ({ id: j.id, seq: j.seq, terms: termsOf(j.labels) }));
  const { placements } = assign(queue, nodes);
  return placements.map((p) => placed(p.jobId, p.node));
}
