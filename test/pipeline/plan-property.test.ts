import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { planPipeline } from '../../src/pipeline/index.js';
import { topoOrder } from '../../src/pipeline/dag.js';
import { catchError, graph } from './helpers.js';

type Edges = Array<[string, string[]]>;

/** Naive oracle: a graph is cyclic when some node reaches itself (DFS from every node). */
function naiveHasCycle(jobs: Edges): boolean {
  const needs = new Map(jobs);
  const reaches = (from: string, target: string, seen: Set<string>): boolean =>
    (needs.get(from) ?? []).some((n) => n === target || (!seen.has(n) && (seen.add(n), reaches(n, target, seen))));
  return jobs.some(([id]) => reaches(id, id, new Set()));
}

/** Naive oracle for --job: everything reachable through needs, by plain recursion. */
function naiveClosure(jobs: Edges, root: string, out = new Set<string>()): Set<string> {
  if (out.has(root)) return out;
  out.add(root);
  for (const n of new Map(jobs).get(root) ?? []) naiveClosure(jobs, n, out);
  return out;
}

/** Random DAGs: node i may need any node created before it; then the file order is shuffled. */
const dagArb = fc.integer({ min: 1, max: 30 }).chain((n) =>
  fc.tuple(
    fc.array(fc.array(fc.nat({ max: 1000 }), { maxLength: 5 }), { minLength: n, maxLength: n }),
    fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
  ).map(([needs, order]): Edges => {
    const jobs: Edges = needs.map((picks, i) => [`j${i}`, i === 0 ? [] : [...new Set(picks.map((p) => `j${p % i}`))]]);
    return order.map((i) => jobs[i]!);
  }),
);

/** Random graphs with any edges, so some have cycles. */
const anyGraphArb = fc.integer({ min: 1, max: 12 }).chain((n) =>
  fc.array(fc.array(fc.nat({ max: n - 1 }), { maxLength: 3 }), { minLength: n, maxLength: n })
    .map((needs): Edges => needs.map((picks, i) => [`j${i}`, [...new Set(picks.map((p) => `j${p}`))]])),
);

describe('planPipeline against naive oracles', () => {
  test('every instance comes after all instances of the jobs it needs, and every job is planned', () => {
    fc.assert(fc.property(dagArb, fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 30 }), (jobs, widths) => {
      const p = graph(jobs);
      // Give some jobs a matrix, so needs on them mean several instances.
      p.jobs.forEach((j, i) => {
        const w = widths[i] ?? 1;
        if (w > 1) j.matrix = { axes: { k: [...Array(w).keys()] }, include: [], exclude: [], failFast: true };
      });
      const plan = planPipeline(p);
      const position = new Map(plan.instances.map((inst, i) => [inst.key, i]));
      const keysOf = new Map<string, string[]>();
      for (const inst of plan.instances) keysOf.set(inst.jobId, [...(keysOf.get(inst.jobId) ?? []), inst.key]);
      expect(new Set(keysOf.keys())).toEqual(new Set(jobs.map(([id]) => id)));
      expect(position.size).toBe(plan.instances.length);
      for (const inst of plan.instances) {
        const job = jobs.find(([id]) => id === inst.jobId)!;
        expect(inst.needs).toEqual(job[1].flatMap((n) => keysOf.get(n)!));
        for (const need of inst.needs) expect(position.get(need)!).toBeLessThan(position.get(inst.key)!);
      }
    }), { numRuns: 300 });
  });

  test('--job plans exactly the transitive needs of the job', () => {
    fc.assert(fc.property(dagArb, fc.nat(), (jobs, pick) => {
      const root = jobs[pick % jobs.length]![0];
      const planned = new Set(planPipeline(graph(jobs), { job: root }).instances.map((i) => i.jobId));
      expect(planned).toEqual(naiveClosure(jobs, root));
    }), { numRuns: 300 });
  });

  test('a graph is rejected exactly when it has a cycle, and the named cycle is real', () => {
    fc.assert(fc.property(anyGraphArb, (jobs) => {
      const cyclic = naiveHasCycle(jobs);
      if (!cyclic) {
        expect(planPipeline(graph(jobs)).instances).toHaveLength(jobs.length);
        return;
      }
      const err = catchError(() => planPipeline(graph(jobs)));
      expect(err.code).toBe('NEEDS_CYCLE');
      const cycle = err.data.cycle as string[];
      expect(cycle[0]).toBe(cycle.at(-1));
      expect(new Set(cycle).size).toBe(cycle.length - 1);
      const needs = new Map(jobs);
      for (let i = 0; i + 1 < cycle.length; i++) expect(needs.get(cycle[i]!)).toContain(cycle[i + 1]);
    }), { numRuns: 500 });
  });
});

describe('planning cost is linear in jobs + edges', () => {
  /** `layers` layers of `width` jobs, each needing every job of the layer above. */
  function fannedIn(layers: number, width: number): Edges {
    const jobs: Edges = [];
    for (let l = 0; l < layers; l++) {
      for (let w = 0; w < width; w++) {
        jobs.push([`l${l}w${w}`, l === 0 ? [] : [...Array(width).keys()].map((x) => `l${l - 1}w${x}`)]);
      }
    }
    return jobs;
  }

  test('each job\'s needs are read once, however fanned-in the DAG is', () => {
    for (const [layers, width] of [[10, 5], [50, 5], [20, 20]] as const) {
      const jobs = fannedIn(layers, width);
      const needs = new Map(jobs);
      let reads = 0;
      const result = topoOrder(jobs.map(([id]) => id), (id) => {
        reads++;
        return needs.get(id) ?? [];
      });
      expect('order' in result && result.order.length).toBe(layers * width);
      expect(reads).toBe(layers * width);
    }
  });

  test('a 200-layer, 5-wide fully fanned-in DAG plans (an exponential planner never would)', () => {
    const plan = planPipeline(graph(fannedIn(200, 5)));
    expect(plan.instances).toHaveLength(1000);
    expect(plan.instances.at(-1)!.needs).toHaveLength(5);
  });
});
