/**
 * `needs` across nodes: when a job may start, whether it is skipped, and the `needs` context
 * (results and outputs of the jobs it needs), which travels through the cluster state.
 *
 * The rule for a job whose needs have all ended (documented in README-level terms):
 * - its `if:` is read only for the status functions; they combine as "or":
 *   `always()` runs it whatever happened; `!cancelled()` runs it unless a need was cancelled;
 *   `failure()` runs it when a need failed; `cancelled()` when a need was cancelled;
 *   `success()` (also the meaning of no status function at all) when every need succeeded;
 * - otherwise the job ends `cancelled`, with result `skipped` and a reason naming the needs.
 * The rest of the expression (`github.ref == ...`) is evaluated by the executor on the node,
 * which reports `skipped` when it is false. Only direct needs are looked at, not ancestors:
 * a job skipped because its need failed is `skipped`, which is not a success.
 */
import type { NeedsContext } from './effects.js';
import type { ClusterState, JobRecord, JobResult } from './types.js';
import { terminalJobStates } from './types.js';

export type Gate = { kind: 'wait'; pending: string[] } | { kind: 'run' } | { kind: 'skip'; reason: string };

function statusFunctions(ifExpr: string | null): { always: boolean; notCancelled: boolean; success: boolean; failure: boolean; cancelled: boolean } {
  const e = (ifExpr ?? '').replace(/\s+/g, '');
  const notCancelled = /!cancelled\(\)/.test(e);
  const f = {
    always: /\balways\(\)/.test(e),
    notCancelled,
    success: /\bsuccess\(\)/.test(e),
    failure: /\bfailure\(\)/.test(e),
    cancelled: /\bcancelled\(\)/.test(e.replace(/!cancelled\(\)/g, '')),
  };
  // No status function at all means success(), as in GitHub Actions.
  if (!f.always && !f.notCancelled && !f.failure && !f.cancelled) f.success = true;
  return f;
}

const defaultStatus = statusFunctions(null);

/** Whether a queued job may start now, must wait for its needs, or is skipped. */
export function needsGate(state: ClusterState, job: JobRecord): Gate {
  const pending: string[] = [];
  const results: JobResult[] = [];
  for (const id of job.needs) {
    const need = state.jobs[id];
    // A need pruned from the state ended long ago; its run finished, so this job ended too.
    if (need === undefined) continue;
    if (!terminalJobStates.has(need.state) || need.result === null) pending.push(id);
    else results.push(need.result);
  }
  if (pending.length > 0) return { kind: 'wait', pending };
  const f = job.if === null ? defaultStatus : statusFunctions(job.if);
  const anyFailed = results.includes('failure');
  const anyCancelled = results.includes('cancelled');
  const allSucceeded = results.every((r) => r === 'success');
  const run = f.always || (f.notCancelled && !anyCancelled) || (f.failure && anyFailed) || (f.cancelled && anyCancelled) || (f.success && allSucceeded);
  if (run) return { kind: 'run' };
  const unmet = job.needs.flatMap((id) => {
    const need = state.jobs[id];
    return need && need.result !== 'success' ? [`${need.name} ${need.result ?? need.state}`] : [];
  });
  const why = unmet.length > 0 ? `needs not satisfied: ${unmet.join(', ')}` : 'needs all succeeded';
  return { kind: 'skip', reason: `skipped: ${why} (if: ${job.if ?? 'success()'})` };
}

/** Combines the results of a pipeline job's instances (a matrix): any failure wins, then cancelled, then skipped. */
function combine(a: JobResult, b: JobResult): JobResult {
  const rank: Record<JobResult, number> = { failure: 3, cancelled: 2, skipped: 1, success: 0 };
  return rank[a] >= rank[b] ? a : b;
}

/**
 * The `needs` context for a job: keyed by pipeline job id; a matrix job's outputs are merged in
 * plan order (later instances win, deterministically, where GitHub leaves it unspecified).
 */
export function needsContext(state: ClusterState, job: JobRecord): NeedsContext {
  const ctx: NeedsContext = {};
  for (const id of job.needs) {
    const need = state.jobs[id];
    if (need === undefined) continue;
    const prev = ctx[need.jobId];
    const result = need.result ?? 'cancelled';
    ctx[need.jobId] = prev === undefined
      ? { result, outputs: { ...need.outputs } }
      : { result: combine(prev.result, result), outputs: { ...prev.outputs, ...need.outputs } };
  }
  return ctx;
}
