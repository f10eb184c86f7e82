/**
 * One scheduling pass: which queued jobs go to which nodes now.
 *
 * The rule, in order:
 * 1. Jobs are taken oldest first (by `seq`). Each is placed on a matching node with a free slot
 *    if there is one; a job that cannot be placed waits but does not block the younger jobs
 *    behind it (backfill). Since every job has one slot's worth of need, backfill cannot delay
 *    an older job: a slot it could use is given to the oldest job that fits before any younger
 *    one sees it. So a waiting job is never overtaken on a node it matches, and it runs as soon
 *    as a matching slot frees (no starvation).
 * 2. When several nodes fit, the job takes the node that the fewest other unplaced jobs of this
 *    pass could use. A job that could run anywhere thus leaves the rare nodes (the only `gpu`
 *    machine) to the jobs that need them.
 * 3. Then the least loaded node (running/slots), then the one with most free slots, then by name,
 *    so the result is deterministic.
 */
import type { Explanation } from './explain.js';
import { explain } from './explain.js';
import type { LabelTerm } from './label-terms.js';
import { matches } from './matches.js';
import type { NodeView } from './node-view.js';
import { hasFreeSlot } from './node-view.js';

export interface QueuedJob {
  id: string;
  /** Submission order: smaller is older. Ties break by id. */
  seq: number;
  terms: readonly LabelTerm[];
}

export interface Placement {
  jobId: string;
  node: string;
}

export interface PlaceResult {
  /** In the order they were decided (oldest job first). */
  placements: Placement[];
  /** Every job not placed, with why (as of the end of the pass). */
  waiting: Map<string, Explanation>;
}

/** Orders jobs oldest first; exported so callers and tests agree on "oldest". */
export function byAge(a: QueuedJob, b: QueuedJob): number {
  return a.seq - b.seq || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Runs one pass (see the rule above), explaining every job left waiting. Pure: the inputs are not changed. */
export function place(queue: readonly QueuedJob[], nodes: readonly NodeView[]): PlaceResult {
  const { placements, unplaced, nodesAfter } = assign(queue, nodes);
  const waiting = new Map<string, Explanation>();
  for (const job of unplaced) waiting.set(job.id, explain(job.terms, nodesAfter));
  return { placements, waiting };
}

/**
 * The pass without explanations, for the leader's hot path: the placements, the jobs left
 * unplaced (oldest first), and the nodes with their running counts after the placements.
 */
export function assign(queue: readonly QueuedJob[], nodes: readonly NodeView[]): { placements: Placement[]; unplaced: QueuedJob[]; nodesAfter: NodeView[] } {
  const jobs = [...queue].sort(byAge);
  const live = nodes.map((n) => ({ ...n }));
  // Jobs passing the same terms array share one match computation (callers that cache parsed
  // terms make a long queue of alike jobs cost one match per node).
  const fitsByTerms = new Map<readonly LabelTerm[], number[]>();
  const fitsOf = (terms: readonly LabelTerm[]): number[] => {
    let f = fitsByTerms.get(terms);
    if (f === undefined) {
      f = live.flatMap((n, i) => (matches(terms, n.labels) ? [i] : []));
      fitsByTerms.set(terms, f);
    }
    return f;
  };
  // demand[n] counts the unplaced jobs that node n could run.
  const demand = live.map(() => 0);
  for (const j of jobs) for (const i of fitsOf(j.terms)) demand[i]!++;
  let free = 0;
  for (const n of live) if (hasFreeSlot(n)) free += n.slots - n.running;

  const placements: Placement[] = [];
  const unplaced: QueuedJob[] = [];
  for (const job of jobs) {
    // Once every slot is taken nothing else can be placed: the rest wait as they are.
    if (free === 0) {
      unplaced.push(job);
      continue;
    }
    const fits = fitsOf(job.terms);
    let best = -1;
    for (const i of fits) {
      if (hasFreeSlot(live[i]!) && (best < 0 || better(live, demand, i, best))) best = i;
    }
    if (best < 0) {
      unplaced.push(job);
      continue;
    }
    const node = live[best]!;
    node.running++;
    free--;
    for (const i of fits) demand[i]!--;
    placements.push({ jobId: job.id, node: node.name });
  }
  return { placements, unplaced, nodesAfter: live };
}

/** True when node a is a better home than node b for the current job (rules 2 and 3). */
function better(nodes: readonly NodeView[], demand: readonly number[], a: number, b: number): boolean {
  const na = nodes[a]!;
  const nb = nodes[b]!;
  if (demand[a] !== demand[b]) return demand[a]! < demand[b]!;
  // running/slots compared without division, so equal loads compare equal.
  const la = na.running * nb.slots;
  const lb = nb.running * na.slots;
  if (la !== lb) return la < lb;
  const fa = na.slots - na.running;
  const fb = nb.slots - nb.running;
  if (fa !== fb) return fa > fb;
  return na.name < nb.name;
}
