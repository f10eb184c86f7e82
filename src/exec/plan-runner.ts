import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { JobInstance, JsonValue, Pipeline, Plan } from '../pipeline/index.js';
import { parallelJobsMax } from './constants.js';
import { scheduleDag } from './dag-scheduler.js';
import { JobDirPool, type JobDirs } from './job-dirs.js';
import { runJob } from './job-runner.js';
import { SecretSet } from './masker.js';
import type { Conclusion, JobEvents, JobResult, NeedResult, StepEndEvent, StepStartEvent } from './types.js';

/** One job instance of a run, with everything needed to run it where it stands. */
export interface RunUnit {
  /** Unique in the run; names the log file. */
  key: string;
  instance: JobInstance;
  /** Keys of the units it needs. */
  needs: string[];
  pipeline: Pipeline;
  sourceDir: string;
  /** Units of one job of one pipeline: the scope of `fail-fast` and `max-parallel`. */
  group: string;
  github?: Record<string, JsonValue>;
}

/** Turns a plan into run units; `prefix` keeps keys apart when several pipelines run together. */
export function unitsOf(plan: Plan, sourceDir: string, prefix = '', github?: Record<string, JsonValue>): RunUnit[] {
  return plan.instances.map((instance) => ({
    key: prefix + instance.key,
    instance,
    needs: instance.needs.map((k) => prefix + k),
    pipeline: plan.pipeline,
    sourceDir,
    group: prefix + instance.jobId,
    ...(github === undefined ? {} : { github }),
  }));
}

/** Events of a whole run, each tagged with its unit. */
export interface RunEvents {
  onJobStart?(unit: RunUnit, logFile: string): void;
  onJobEnd?(unit: RunUnit, result: JobResult): void;
  onStepStart?(unit: RunUnit, e: StepStartEvent): void;
  onStepEnd?(unit: RunUnit, e: StepEndEvent): void;
  onOutput?(unit: RunUnit, bytes: Uint8Array): void | Promise<void>;
}

export interface RunOptions {
  units: RunUnit[];
  /** Where each job's log goes: `<logDir>/<file-safe key>.log`. */
  logDir: string;
  /**
   * Where the jobs' workspaces and temp directories go: `<workRoot>/<n>/{work,temp}`, emptied
   * after each job and reused by the next (see JobDirPool), all removed at the end; with
   * `keepWorkspaces`, `<workRoot>/<file-safe key>/{work,temp}`, one per job, kept.
   */
  workRoot: string;
  /** Jobs at once (default `defaultParallelJobs()`). */
  parallel?: number;
  env?: Record<string, string>;
  secrets?: Record<string, string>;
  inputs?: Record<string, JsonValue>;
  /** Cancels the run: running jobs are cancelled, no new job starts. */
  signal?: AbortSignal;
  /** Ends everything now, `always()` steps included. */
  forceSignal?: AbortSignal;
  killGraceMs?: number;
  /** The masking set (default: a new one holding `secrets`); `::add-mask::` values join it. */
  secretSet?: SecretSet;
  /** Keep workspaces after their job ends (default: removed). */
  keepWorkspaces?: boolean;
  events?: RunEvents;
}

export interface RunResult {
  conclusion: Exclude<Conclusion, 'skipped'>;
  /** In the order of `units`. */
  jobs: JobResult[];
  durationMs: number;
}

/**
 * Jobs at once by default: generous, because CI jobs mostly wait (on processes, disks,
 * networks), yet bounded so a wide matrix does not fork-bomb a laptop.
 */
export function defaultParallelJobs(): number {
  return Math.min(parallelJobsMax, Math.max(8, 4 * availableParallelism()));
}

/**
 * Runs units as a true DAG on this machine. A unit starts when its own needs have ended;
 * `fail-fast` cancels the other instances of a matrix job when one fails; `max-parallel`
 * caps a job's instances running at once; a unit whose needs failed is skipped unless its
 * `if:` says otherwise (runJob decides). Each job gets its own workspace and log file.
 */
export async function runPlan(opts: RunOptions): Promise<RunResult> {
  const t0 = performance.now();
  const limit = Math.max(1, Math.min(parallelJobsMax, opts.parallel ?? defaultParallelJobs()));
  const secretSet = opts.secretSet ?? new SecretSet();
  for (const v of Object.values(opts.secrets ?? {})) secretSet.add(v);
  const results = new Map<string, JobResult>();
  const byKey = new Map(opts.units.map((u) => [u.key, u] as const));
  const files = fileNames(opts.units);
  const groupRunning = new Map<string, number>();
  const groupControllers = new Map<string, Set<AbortController>>();
  const failedFast = new Set<string>();
  // Workspaces are emptied in the background: deleting a tree is slow (more so with
  // `discard` mounts) and must not delay the jobs that were waiting for this one.
  const pool = opts.keepWorkspaces ? undefined : new JobDirPool(opts.workRoot);

  const run = async (unit: RunUnit): Promise<void> => {
    const name = files.get(unit.key)!;
    const logFile = join(opts.logDir, `${name}.log`);
    const dirs = pool?.take() ?? keptDirs(opts.workRoot, name);
    const controller = new AbortController();
    const controllers = groupControllers.get(unit.group) ?? new Set();
    groupControllers.set(unit.group, controllers);
    controllers.add(controller);
    groupRunning.set(unit.group, (groupRunning.get(unit.group) ?? 0) + 1);
    try {
      if (failedFast.has(unit.group)) controller.abort();
      const events: JobEvents = {
        onStepStart: (e) => opts.events?.onStepStart?.(unit, e),
        onStepEnd: (e) => opts.events?.onStepEnd?.(unit, e),
        onOutput: (b) => opts.events?.onOutput?.(unit, b),
      };
      opts.events?.onJobStart?.(unit, logFile);
      const jobResult = await runJob({
        pipeline: unit.pipeline,
        instance: unit.instance,
        workspace: dirs.workspace,
        tempDir: dirs.tempDir,
        logFile,
        sourceDir: unit.sourceDir,
        needs: needsOf(unit, byKey, results),
        secretSet,
        signal: opts.signal ? AbortSignal.any([opts.signal, controller.signal]) : controller.signal,
        events,
        ...pick(opts, unit),
      });
      // The unit key, not the instance key: two pipelines of one run may both have a job `build`.
      const result = { ...jobResult, key: unit.key };
      results.set(unit.key, result);
      if (result.conclusion === 'failure' && unit.instance.strategy['fail-fast'] === true && !failedFast.has(unit.group)) {
        failedFast.add(unit.group);
        for (const c of controllers) c.abort();
      }
      opts.events?.onJobEnd?.(unit, result);
    } finally {
      controllers.delete(controller);
      groupRunning.set(unit.group, (groupRunning.get(unit.group) ?? 1) - 1);
      void pool?.give(dirs);
    }
  };

  await scheduleDag({
    tasks: opts.units,
    limit,
    admit: (u) => {
      const max = u.instance.strategy['max-parallel'];
      return typeof max !== 'number' || max <= 0 || (groupRunning.get(u.group) ?? 0) < max;
    },
    run,
  });
  await pool?.close();
  const jobs = opts.units.map((u) => results.get(u.key)!);
  const cancelled = opts.signal?.aborted === true || opts.forceSignal?.aborted === true;
  const failed = jobs.some((j) => j.conclusion === 'failure');
  return { conclusion: cancelled ? 'cancelled' : failed ? 'failure' : 'success', jobs, durationMs: performance.now() - t0 };
}

/** A job's own directories, kept after the run for inspection. */
function keptDirs(workRoot: string, name: string): JobDirs {
  const root = join(workRoot, name);
  return { root, workspace: join(root, 'work'), tempDir: join(root, 'temp') };
}

function pick(opts: RunOptions, unit: RunUnit): Partial<Parameters<typeof runJob>[0]> {
  const out: Partial<Parameters<typeof runJob>[0]> = {};
  if (opts.env) out.env = opts.env;
  if (opts.secrets) out.secrets = opts.secrets;
  if (opts.inputs) out.inputs = opts.inputs;
  if (opts.forceSignal) out.forceSignal = opts.forceSignal;
  if (opts.killGraceMs !== undefined) out.killGraceMs = opts.killGraceMs;
  if (unit.github) out.github = unit.github;
  return out;
}

/**
 * The `needs` context of a unit, keyed by job id. A matrix job's result joins its
 * instances' results (any failure → failure, else any cancelled → cancelled, else any
 * success → success), and its outputs merge in the order the instances finished.
 */
function needsOf(unit: RunUnit, byKey: Map<string, RunUnit>, results: Map<string, JobResult>): Record<string, NeedResult> {
  const out: Record<string, NeedResult> = {};
  const byJob = new Map<string, JobResult[]>();
  for (const k of unit.needs) {
    const r = results.get(k);
    const jobId = byKey.get(k)?.instance.jobId;
    if (r === undefined || jobId === undefined) continue;
    byJob.set(jobId, [...(byJob.get(jobId) ?? []), r]);
  }
  for (const [jobId, rs] of byJob) {
    const has = (c: Conclusion): boolean => rs.some((r) => r.conclusion === c);
    const result: Conclusion = has('failure') ? 'failure' : has('cancelled') ? 'cancelled' : has('success') ? 'success' : 'skipped';
    const finished = [...rs].sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.durationMs - b.durationMs);
    out[jobId] = { result, outputs: Object.assign({}, ...finished.map((r) => r.outputs)) as Record<string, string> };
  }
  return out;
}

/** File-safe, unique names for the units' logs and workspaces: `test (linux, 22)` → `test-linux-22`. */
function fileNames(units: RunUnit[]): Map<string, string> {
  const used = new Set<string>();
  const out = new Map<string, string>();
  for (const u of units) {
    const base = u.key.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'job';
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}-${n}`;
    used.add(name);
    out.set(u.key, name);
  }
  return out;
}
