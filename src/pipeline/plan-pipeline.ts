import { CairnError } from '../util/errors.js';
import { closure, topoOrder } from './dag.js';
import { expandMatrix, instanceKey, matrixValueLabel, type Combination } from './expand-matrix.js';
import { isTemplate } from './expression-scan.js';
import { evaluateExpression, interpolate, isTruthy } from './expressions.js';
import { issuesError } from './issues.js';
import { matrixCombinationsMax } from './limits.js';
import type { ExpressionContext, JobInstance, JobSpec, JsonValue, Pipeline, Plan } from './types.js';

/** What `cairn run` passes to planning. */
export interface PlanOptions {
  /** Run only this job and what it needs, transitively (`--job`). */
  job?: string;
  /** Keep only matrix combinations with these values (`--matrix k=v`); jobs without the axis are unaffected. */
  matrix?: Record<string, string>;
  /** The `github` context, for `runs-on`, `name` and the like written with expressions. */
  github?: Record<string, JsonValue>;
  /** `workflow_dispatch` inputs. */
  inputs?: Record<string, JsonValue>;
}

/**
 * Expands matrices and orders the job instances into a DAG: each instance comes after every
 * instance of every job it needs. Linear in jobs + needs edges (Kahn's algorithm). Throws
 * `NEEDS_CYCLE` naming the cycle, `INVALID_INPUT` for an unknown `--job` or a `--matrix`
 * filter that matches nothing, and `PIPELINE_INVALID` for an empty matrix.
 */
export function planPipeline(p: Pipeline, opts: PlanOptions = {}): Plan {
  const byId = new Map(p.jobs.map((j) => [j.id, j] as const));
  for (const job of p.jobs) {
    for (const n of job.needs) {
      if (!byId.has(n)) throw issuesError(p.file, [{ ...job.loc, message: `job '${job.id}' needs '${n}', which is not a job in this pipeline` }]);
    }
  }
  const needsOf = (id: string): string[] => byId.get(id)?.needs ?? [];
  const sorted = topoOrder(p.jobs.map((j) => j.id), needsOf);
  if ('cycle' in sorted) {
    const first = byId.get(sorted.cycle[0] as string) as JobSpec;
    throw new CairnError('NEEDS_CYCLE', `needs cycle: ${sorted.cycle.join(' -> ')}`, {
      cycle: sorted.cycle,
      file: p.file,
      line: first.loc.line,
      column: first.loc.column,
    });
  }
  let selected: Set<string> | undefined;
  if (opts.job !== undefined) {
    if (!byId.has(opts.job)) {
      const jobs = p.jobs.map((j) => j.id);
      throw new CairnError('INVALID_INPUT', `unknown job '${opts.job}'; the jobs are: ${jobs.join(', ')}`, { job: opts.job, jobs });
    }
    selected = closure(opts.job, needsOf);
  }
  const filter = opts.matrix ?? {};
  const filterKeysSeen = new Set<string>();
  const keysOf = new Map<string, string[]>();
  const usedKeys = new Set<string>();
  const instances: JobInstance[] = [];
  for (const id of sorted.order) {
    if (selected !== undefined && !selected.has(id)) continue;
    const job = byId.get(id) as JobSpec;
    const combos = combinationsOf(p, job, filter, filterKeysSeen);
    const needKeys = job.needs.flatMap((n) => keysOf.get(n) ?? []);
    const keys: string[] = [];
    combos.forEach((combo, index) => {
      const inst = makeInstance(job, combo, index, combos.length, needKeys, opts, usedKeys);
      keys.push(inst.key);
      instances.push(inst);
    });
    keysOf.set(id, keys);
  }
  for (const k of Object.keys(filter)) {
    if (!filterKeysSeen.has(k)) {
      throw new CairnError('INVALID_INPUT', `--matrix ${k}: no planned job has a matrix axis '${k}'`, { key: k });
    }
  }
  return { pipeline: p, instances };
}

/** A job's combinations after the `--matrix` filter; `[undefined]` for a job without a matrix. */
function combinationsOf(p: Pipeline, job: JobSpec, filter: Record<string, string>, seen: Set<string>): Array<Combination | undefined> {
  if (job.matrix === undefined) return [undefined];
  const all = expandMatrix(job.matrix, matrixCombinationsMax);
  const loc = job.matrix.loc ?? job.loc;
  if (all.length === 0) {
    throw issuesError(p.file, [{ ...loc, message: `job '${job.id}': the matrix is empty (every combination is excluded or an axis has no values)` }]);
  }
  if (all.length > matrixCombinationsMax) {
    throw issuesError(p.file, [{ ...loc, message: `job '${job.id}': the matrix expands to more than ${matrixCombinationsMax} combinations` }]);
  }
  const relevant = Object.entries(filter).filter(([k]) => all.some((c) => k in c));
  for (const [k] of relevant) seen.add(k);
  const kept = all.filter((c) => relevant.every(([k, v]) => !(k in c) || matrixValueLabel(c[k]) === v));
  if (kept.length === 0) {
    const wanted = relevant.map(([k, v]) => `${k}=${v}`).join(' ');
    const values = relevant.map(([k]) => `${k}: ${[...new Set(all.map((c) => matrixValueLabel(c[k])))].join(', ')}`).join('; ');
    throw new CairnError('INVALID_INPUT', `--matrix ${wanted} matches no combination of job '${job.id}' (${values})`, { job: job.id, filter });
  }
  return kept;
}

function makeInstance(
  job: JobSpec,
  combo: Combination | undefined,
  index: number,
  total: number,
  needs: string[],
  opts: PlanOptions,
  usedKeys: Set<string>,
): JobInstance {
  let key = instanceKey(job.id, combo);
  // Two include entries can produce equal combinations; GitHub runs both, so keep both.
  for (let n = 2; usedKeys.has(key); n++) key = `${instanceKey(job.id, combo)} #${n}`;
  usedKeys.add(key);
  const strategy: Record<string, JsonValue> = {
    'fail-fast': job.matrix?.failFast ?? true,
    'job-index': index,
    'job-total': total,
    'max-parallel': job.matrix?.maxParallel ?? total,
  };
  const ctx = planContext(combo ?? {}, strategy, opts);
  const inst: JobInstance = {
    key,
    jobId: job.id,
    matrix: combo ?? {},
    needs,
    needsJobs: [...job.needs],
    name: displayName(job, combo, key, ctx),
    runsOn: job.runsOn.map((r) => (isTemplate(r) ? interpolate(r, ctx) : r)).filter((r) => r !== ''),
    continueOnError: job.continueOnErrorExpr !== undefined
      ? isTruthy(evaluateExpression(job.continueOnErrorExpr, ctx))
      : job.continueOnError,
    strategy,
  };
  const timeout = job.timeoutMinutesExpr !== undefined ? Number(evaluateExpression(job.timeoutMinutesExpr, ctx)) : job.timeoutMinutes;
  if (timeout !== undefined && Number.isFinite(timeout) && timeout > 0) inst.timeoutMinutes = timeout;
  return inst;
}

/** GitHub shows `name (values)` for a matrix job, unless its `name:` uses expressions itself. */
function displayName(job: JobSpec, combo: Combination | undefined, key: string, ctx: ExpressionContext): string {
  if (isTemplate(job.name)) return interpolate(job.name, ctx);
  if (job.name === job.id) return key;
  return combo === undefined || Object.keys(combo).length === 0 ? job.name : `${job.name} (${Object.values(combo).map(matrixValueLabel).join(', ')})`;
}

/** The contexts known before anything runs: matrix, strategy, github, inputs. */
function planContext(matrix: Combination, strategy: Record<string, JsonValue>, opts: PlanOptions): ExpressionContext {
  return {
    github: opts.github ?? {},
    env: {},
    matrix,
    needs: {},
    steps: {},
    job: { status: 'success' },
    runner: {},
    inputs: opts.inputs ?? {},
    secrets: {},
    strategy,
  };
}

/** The job a planned instance runs. */
export function jobOf(plan: Plan, instance: JobInstance): JobSpec {
  const job = plan.pipeline.jobs.find((j) => j.id === instance.jobId);
  if (job === undefined) throw new Error(`cairn invariant violated: no job '${instance.jobId}' in the plan`);
  return job;
}

/**
 * The `inputs` context of a run with no inputs given: each `workflow_dispatch` input's
 * default, else `false` for a boolean and '' for the rest, as GitHub fills them.
 */
export function defaultInputs(p: Pipeline): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [name, input] of Object.entries(p.on.workflowDispatch?.inputs ?? {})) {
    out[name] = input.default ?? (input.type === 'boolean' ? false : '');
  }
  return out;
}
