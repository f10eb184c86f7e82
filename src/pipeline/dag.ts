/**
 * Topological order of a graph given as `needs` lists, by Kahn's algorithm: O(nodes + edges),
 * with each edge looked at once. (A planner that walks every path instead, as
 * gitlab-ci-local does, grows exponentially with fanned-in layers.)
 */

/** Either the nodes in an order where each comes after all it needs, or one cycle. */
export type TopoResult = { order: string[] } | { cycle: string[] };

/**
 * Orders `ids` (kept in their given order among nodes that are ready together). `needsOf`
 * must name only ids in the list. A cycle comes back as `[a, b, c, a]`, meaning a needs b,
 * b needs c, c needs a, starting at its member that comes first in `ids`.
 */
export function topoOrder(ids: readonly string[], needsOf: (id: string) => readonly string[]): TopoResult {
  const position = new Map<string, number>();
  ids.forEach((id, i) => position.set(id, i));
  const waiting = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const id of ids) {
    const needs = new Set(needsOf(id));
    waiting.set(id, needs.size);
    for (const n of needs) {
      const list = dependents.get(n);
      if (list === undefined) dependents.set(n, [id]);
      else list.push(id);
    }
  }
  const order: string[] = ids.filter((id) => waiting.get(id) === 0);
  // `order` doubles as the queue: everything before `head` is done.
  for (let head = 0; head < order.length; head++) {
    const done = order[head] as string;
    for (const d of dependents.get(done) ?? []) {
      const left = (waiting.get(d) ?? 0) - 1;
      waiting.set(d, left);
      if (left === 0) order.push(d);
    }
  }
  if (order.length === ids.length) return { order };
  return { cycle: findCycle(ids, needsOf, waiting, position) };
}

/**
 * Every node Kahn's algorithm could not order waits on another such node, so following
 * unfinished needs from any of them must revisit a node: that loop is a cycle. Linear.
 */
function findCycle(
  ids: readonly string[],
  needsOf: (id: string) => readonly string[],
  waiting: Map<string, number>,
  position: Map<string, number>,
): string[] {
  const stuck = (id: string): boolean => (waiting.get(id) ?? 0) > 0;
  const start = ids.find(stuck) as string;
  const seenAt = new Map<string, number>();
  const path: string[] = [];
  let cur = start;
  while (!seenAt.has(cur)) {
    seenAt.set(cur, path.length);
    path.push(cur);
    const next = needsOf(cur).find(stuck);
    if (next === undefined) throw new Error('cairn invariant violated: a stuck node has no stuck need');
    cur = next;
  }
  const loop = path.slice(seenAt.get(cur));
  // Start at the member written first, so the same file always names the same cycle.
  let first = 0;
  loop.forEach((id, i) => {
    if ((position.get(id) ?? 0) < (position.get(loop[first] as string) ?? 0)) first = i;
  });
  const rotated = [...loop.slice(first), ...loop.slice(0, first)];
  return [...rotated, rotated[0] as string];
}

/** The ids reachable from `root` through needs, `root` included (iterative, visited set). */
export function closure(root: string, needsOf: (id: string) => readonly string[]): Set<string> {
  const seen = new Set<string>([root]);
  const stack = [root];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    for (const n of needsOf(id)) {
      if (!seen.has(n)) {
        seen.add(n);
        stack.push(n);
      }
    }
  }
  return seen;
}
