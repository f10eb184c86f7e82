import { assert } from '../util/errors.js';

/** A node of the DAG: its key and the keys it waits for. */
export interface DagTask {
  key: string;
  needs: readonly string[];
}

export interface ScheduleOptions<T extends DagTask> {
  /** In a topological order or not; ties start in this order. */
  tasks: readonly T[];
  /** Tasks running at once, at most. */
  limit: number;
  /** A further gate on a ready task (a job's `max-parallel`); re-asked whenever a task ends. */
  admit?(task: T): boolean;
  /** Runs a task; must not reject (report failure in its own result). */
  run(task: T): Promise<void>;
}

/**
 * Runs a DAG event by event: a task starts the moment the last task it needs has ended (and
 * a slot is free), never in waves or stages. Each edge is looked at once when its task ends,
 * so scheduling costs O(tasks + edges) whatever the shape of the graph.
 */
export async function scheduleDag<T extends DagTask>(opts: ScheduleOptions<T>): Promise<void> {
  assert(opts.limit >= 1, 'the parallel limit is at least 1');
  const waiting = new Map<string, number>();
  const dependents = new Map<string, T[]>();
  for (const t of opts.tasks) {
    assert(!waiting.has(t.key), `duplicate task key ${t.key}`);
    waiting.set(t.key, t.needs.length);
  }
  for (const t of opts.tasks) {
    for (const n of t.needs) {
      assert(waiting.has(n), `task ${t.key} needs unknown task ${n}`);
      const list = dependents.get(n);
      if (list) list.push(t);
      else dependents.set(n, [t]);
    }
  }
  const ready: T[] = opts.tasks.filter((t) => t.needs.length === 0);
  let running = 0;
  let finished = 0;
  const total = opts.tasks.length;
  if (total === 0) return;

  return new Promise<void>((resolve) => {
    const pump = (): void => {
      for (let i = 0; i < ready.length && running < opts.limit; ) {
        const task = ready[i]!;
        if (opts.admit && !opts.admit(task)) {
          i++;
          continue;
        }
        ready.splice(i, 1);
        running++;
        void opts.run(task).then(() => done(task), () => done(task));
      }
      // Every unfinished task is either running or reachable from one; otherwise the graph had a cycle.
      assert(running > 0 || finished === total, 'the DAG has a cycle or a task can never be admitted');
    };
    const done = (task: T): void => {
      running--;
      finished++;
      for (const d of dependents.get(task.key) ?? []) {
        const left = waiting.get(d.key)! - 1;
        waiting.set(d.key, left);
        if (left === 0) ready.push(d);
      }
      if (finished === total) resolve();
      else pump();
    };
    pump();
  });
}
