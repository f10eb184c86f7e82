/** Pipeline plans for tests, built without the parser (no vitest import, so scripts can use them too). */
import { emptyJob } from '../../src/pipeline/empty-job.js';
import type { JobInstance, JobSpec, JsonValue, Plan } from '../../src/pipeline/types.js';

export function spec(id: string, over: Partial<JobSpec> = {}): JobSpec {
  return { ...emptyJob(id, { file: 'ci.yml', line: 1, column: 1 }), ...over };
}

/** A plan from specs; a spec with a matrix axis expands to one instance per value. */
export function plan(specs: JobSpec[], name = 'ci'): Plan {
  const instances: JobInstance[] = [];
  const keysOf = new Map<string, string[]>();
  for (const s of specs) {
    const axes = Object.entries(s.matrix?.axes ?? {});
    const combos: Array<Record<string, JsonValue>> = axes.length === 0 ? [{}] : (axes[0]![1].map((v) => ({ [axes[0]![0]]: v })));
    const keys: string[] = [];
    for (const m of combos) {
      const key = axes.length === 0 ? s.id : `${s.id} (${Object.values(m).join(', ')})`;
      // As the planner does: runs-on resolved per instance, matrix jobs named by their key.
      const runsOn = s.runsOn.map((r) => r.replace(/\$\{\{\s*matrix\.(\w+)\s*\}\}/g, (_, k: string) => String(m[k])));
      instances.push({
        key,
        jobId: s.id,
        matrix: m,
        needs: s.needs.flatMap((n) => keysOf.get(n) ?? []),
        needsJobs: [...s.needs],
        name: axes.length === 0 ? s.name : key,
        runsOn,
        continueOnError: s.continueOnError,
        strategy: { 'fail-fast': s.matrix?.failFast ?? true },
      });
      keys.push(key);
    }
    keysOf.set(s.id, keys);
  }
  return { pipeline: { name, file: '<inline>', kind: 'workflow', on: { schedule: [] }, env: {}, defaults: {}, jobs: specs }, instances };
}

/**
 * Freezes every record of the state, deeply, so a handler that modified a record in place
 * (instead of replacing it) throws in the tests. Already-frozen records are skipped.
 */
export function freezeRecords(state: { nodes: object; jobs: object; runs: object; pipelines: object; config: object }): void {
  for (const map of [state.nodes, state.jobs, state.runs, state.pipelines]) {
    for (const rec of Object.values(map)) deepFreeze(rec);
  }
  deepFreeze(state.config);
}

function deepFreeze(v: unknown): void {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return;
  Object.freeze(v);
  for (const x of Object.values(v)) deepFreeze(x);
}
