import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NodeView, QueuedJob } from '../../src/scheduler/index.js';
import { byAge, hasFreeSlot, matches, parseLabelTerms, place, toNodeLabels } from '../../src/scheduler/index.js';

function node(name: string, labels: string[], slots: number, running = 0, extra: Partial<NodeView> = {}): NodeView {
  return { name, labels: toNodeLabels(labels), slots, running, up: true, draining: false, ...extra };
}
function job(id: string, seq: number, terms: string): QueuedJob {
  return { id, seq, terms: parseLabelTerms(terms) };
}

/** The most jobs any assignment could place: max flow jobs → nodes with free slots (naive augmenting paths). */
function maxPlaceable(queue: readonly QueuedJob[], nodes: readonly NodeView[]): number {
  const cap = nodes.map((n) => (n.up && !n.draining ? Math.max(0, n.slots - n.running) : 0));
  const owner: number[][] = nodes.map(() => []);
  const tryJob = (j: number, seen: Set<number>): boolean => {
    for (let i = 0; i < nodes.length; i++) {
      if (seen.has(i) || !matches(queue[j]!.terms, nodes[i]!.labels) || cap[i] === 0) continue;
      seen.add(i);
      if (owner[i]!.length < cap[i]!) {
        owner[i]!.push(j);
        return true;
      }
      for (let k = 0; k < owner[i]!.length; k++) {
        if (tryJob(owner[i]![k]!, seen)) {
          owner[i]![k] = j;
          return true;
        }
      }
    }
    return false;
  };
  let count = 0;
  for (let j = 0; j < queue.length; j++) if (tryJob(j, new Set())) count++;
  return count;
}

const termPool = ['a', 'b', 'gpu', '!gpu', 'os=linux', 'os!=linux', 'os=darwin', '!b'];
const labelPool = ['a', 'b', 'gpu', 'os=linux', 'os=darwin'];

const nodesArb = fc.uniqueArray(
  fc.record({
    name: fc.constantFrom<string>('n1', 'n2', 'n3', 'n4', 'n5', 'n6'),
    labels: fc.subarray(labelPool),
    slots: fc.integer({ min: 1, max: 4 }),
    running: fc.integer({ min: 0, max: 5 }),
    up: fc.boolean(),
    draining: fc.boolean(),
  }),
  { selector: (n) => n.name, maxLength: 6 },
).map((ns) =>
  ns.map((n) => {
    // os is one value per node: keep the first os label only.
    const os = n.labels.filter((l) => l.startsWith('os='));
    const labels = [...n.labels.filter((l) => !l.startsWith('os=')), ...os.slice(0, 1)];
    return { name: n.name, labels: toNodeLabels(labels), slots: n.slots, running: n.running, up: n.up, draining: n.draining };
  }),
);
const queueArb = fc.array(fc.record({ seq: fc.integer({ min: 0, max: 50 }), terms: fc.subarray(termPool, { maxLength: 2 }) }), { maxLength: 30 }).map((js) =>
  js.map((j, i) => ({ id: `j${i}`, seq: j.seq, terms: parseLabelTerms(j.terms) })),
);

describe('place: properties against a naive oracle', () => {
  it('respects slots, labels, uniqueness, backfill, age priority and a bound from max matching', () => {
    fc.assert(
      fc.property(queueArb, nodesArb, (queue, nodes) => {
        const { placements, waiting } = place(queue, nodes);
        const byId = new Map(queue.map((j) => [j.id, j]));
        const byName = new Map(nodes.map((n) => [n.name, n]));
        // Every job is either placed once or waiting, never both.
        const placedIds = placements.map((p) => p.jobId);
        expect(new Set(placedIds).size).toBe(placedIds.length);
        for (const id of placedIds) expect(waiting.has(id)).toBe(false);
        expect(placedIds.length + waiting.size).toBe(queue.length);
        // Each placement matches, goes to an up, non-draining node, and no node exceeds its slots.
        const added = new Map<string, number>();
        for (const p of placements) {
          const n = byName.get(p.node)!;
          expect(n.up && !n.draining).toBe(true);
          expect(matches(byId.get(p.jobId)!.terms, n.labels)).toBe(true);
          added.set(p.node, (added.get(p.node) ?? 0) + 1);
        }
        for (const [name, k] of added) {
          const n = byName.get(name)!;
          expect(n.running + k).toBeLessThanOrEqual(n.slots);
        }
        const after = nodes.map((n) => ({ ...n, running: n.running + (added.get(n.name) ?? 0) }));
        for (const [id, why] of waiting) {
          const w = byId.get(id)!;
          // Backfill is maximal: no waiting job has a matching node with a free slot left.
          for (const n of after) expect(hasFreeSlot(n) && matches(w.terms, n.labels)).toBe(false);
          expect(why.code).not.toBe('can-run');
          // Age priority: no younger job took a slot on a node the waiting job matches.
          for (const p of placements) {
            const younger = byAge(byId.get(p.jobId)!, w) > 0;
            if (younger) expect(matches(w.terms, byName.get(p.node)!.labels)).toBe(false);
          }
        }
        // A maximal assignment places at least half of what the best assignment could.
        const best = maxPlaceable(queue, nodes);
        expect(placements.length).toBeLessThanOrEqual(best);
        expect(2 * placements.length).toBeGreaterThanOrEqual(best);
        // Pure and deterministic: same inputs, same answer, inputs untouched.
        const again = place(queue, nodes);
        expect(again.placements).toEqual(placements);
        expect(nodes.map((n) => n.running)).toEqual(nodes.map((n) => byName.get(n.name)!.running));
      }),
      { numRuns: 500 },
    );
  });
});

describe('place: scenarios', () => {
  it('takes the oldest first and backfills past a head job that cannot be placed', () => {
    const r = place([job('young', 3, ''), job('head', 1, 'maven'), job('mid', 2, '')], [node('n1', ['linux'], 2)]);
    expect(r.placements).toEqual([{ jobId: 'mid', node: 'n1' }, { jobId: 'young', node: 'n1' }]);
    expect(r.waiting.get('head')!.code).toBe('no-node-matches');
  });

  it('leaves the rare node to the job that needs it', () => {
    const nodes = [node('gpu-box', ['gpu'], 1), node('plain', [], 1)];
    const r = place([job('any', 1, ''), job('needs-gpu', 2, 'gpu')], nodes);
    expect(r.placements).toEqual([{ jobId: 'any', node: 'plain' }, { jobId: 'needs-gpu', node: 'gpu-box' }]);
  });

  it('spreads load when demand is equal', () => {
    const r = place([job('a', 1, ''), job('b', 2, ''), job('c', 3, '')], [node('x', [], 4), node('y', [], 4, 1)]);
    expect(r.placements.map((p) => p.node)).toEqual(['x', 'x', 'y']);
  });

  it('does not starve a rare-label job under a steady stream of jobs that could run anywhere', () => {
    // One gpu node and one plain node, one slot each. Every round two new general jobs arrive
    // and the running jobs finish. The gpu job (submitted in round 3) must be placed within a
    // bounded number of rounds, and on its first chance once older jobs are served.
    const nodes = [node('gpu-box', ['gpu'], 1), node('plain', [], 1)];
    let queue: QueuedJob[] = [];
    let seq = 0;
    let placedAtRound = -1;
    for (let round = 0; round < 20 && placedAtRound < 0; round++) {
      queue.push(job(`g${seq}`, seq++, ''), job(`g${seq}`, seq++, ''));
      if (round === 3) queue.push(job('rare', seq++, 'gpu'));
      const r = place(queue, nodes); // every node is idle again at the start of a round
      const placed = new Set(r.placements.map((p) => p.jobId));
      if (placed.has('rare')) placedAtRound = round;
      queue = queue.filter((j) => !placed.has(j.id));
    }
    // Round 3: the two older general jobs fill both slots. Round 4: the gpu job is now the oldest
    // and gets the gpu node, although newer jobs that could run there keep arriving.
    expect(placedAtRound).toBe(4);
  });

  it('places nothing on down, draining or over-full nodes', () => {
    const r = place([job('a', 1, '')], [node('d', [], 2, 0, { up: false }), node('dr', [], 2, 0, { draining: true }), node('full', [], 2, 3)]);
    expect(r.placements).toEqual([]);
    expect(r.waiting.get('a')!.text).toBe('no node has a free slot; 1 node is busy (3/2 slots); 1 node is draining (dr); 1 node is down (d)');
  });
});
