import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import {
  findPipelineFiles,
  gitContext,
  loadPipeline,
  projectDir,
  runPlan,
  SecretSet,
  unitsOf,
  validateRunnable,
  type RunUnit,
} from '../exec/index.js';
import type { JsonValue, Pipeline } from '../pipeline/index.js';
import { planPipeline } from '../pipeline/index.js';
import { CairnError } from '../util/errors.js';
import { globalOptions } from './context.js';
import { createStyle } from './output/colors.js';
import { JobOutputPrinter } from './output/job-output.js';
import { planJson, planText } from './output/plan-view.js';
import { seconds, shortPath, summaryJson, summaryTable } from './output/run-summary.js';

/** Exit code of a run stopped by Ctrl-C (or SIGTERM): 128 + SIGINT, as shells report it. */
export const cancelledExitCode = 130;

interface RunOptions {
  job?: string;
  matrix?: string[];
  env?: string[];
  secret?: string[];
  dryRun?: boolean;
}

/**
 * `cairn run [FILE|DIR]`: plans the pipeline(s) and runs them on this machine as a true DAG,
 * printing each job's output live with a `[job]` prefix, then a summary table. Exit codes:
 * 0 every job succeeded, 1 a job failed, 2 invalid input (nothing ran), 130 cancelled with
 * Ctrl-C or SIGTERM (a second Ctrl-C kills what is left at once).
 */
export async function runCommand(target: string | undefined, opts: RunOptions, cmd: Command): Promise<void> {
  const g = globalOptions(cmd);
  const cwd = process.cwd();
  const env = pairs(opts.env ?? [], '--env');
  const secrets = pairs(opts.secret ?? [], '--secret');
  const matrix = pairs(opts.matrix ?? [], '--matrix');
  const files = findPipelineFiles(target, cwd);
  const several = files.length > 1;
  const units: RunUnit[] = [];
  for (const file of files) {
    const pipeline = loadPipeline(file);
    if (several && opts.job !== undefined && !pipeline.jobs.some((j) => j.id === opts.job)) continue;
    const sourceDir = projectDir(file);
    const github = { ...gitContext(sourceDir), event_name: eventName(pipeline) };
    const plan = planPipeline(pipeline, {
      ...(opts.job === undefined ? {} : { job: opts.job }),
      ...(Object.keys(matrix).length === 0 ? {} : { matrix }),
      github,
      inputs: dispatchInputs(pipeline),
    });
    validateRunnable(plan, sourceDir);
    units.push(...unitsOf(plan, sourceDir, several ? `${basename(file).replace(/\.ya?ml$/, '')}/` : '', github));
  }
  if (units.length === 0) throw new CairnError('INVALID_INPUT', `no pipeline has a job '${opts.job ?? ''}'`, { job: opts.job });

  const style = createStyle(g.color);
  if (opts.dryRun) {
    process.stdout.write(g.json ? JSON.stringify(planJson(units)) + '\n' : planText(units, g.color));
    return;
  }

  const runId = newRunId();
  const logDir = join(cwd, '.cairn', 'runs', runId);
  const secretSet = new SecretSet();
  for (const v of Object.values(secrets)) secretSet.add(v);
  // In --json mode stdout carries only the summary document; live output goes to stderr.
  const live = g.json ? process.stderr : process.stdout;
  const printer = new JobOutputPrinter((b) => live.write(b), g.color && (g.json ? process.stderr.isTTY === true : true));
  const stop = cancellation(style, live);
  const workRoot = join(tmpdir(), `cairn-${runId}`);
  const keepWorkspaces = process.env.CAIRN_KEEP_WORKSPACES === '1';
  try {
    const result = await runPlan({
      units,
      logDir,
      workRoot,
      env,
      secrets,
      secretSet,
      signal: stop.cancel,
      forceSignal: stop.force,
      keepWorkspaces,
      events: {
        // A slow reader of the live copy (a pipe) slows the job down, as a terminal would,
        // rather than queueing its output in memory.
        onOutput: (u, bytes) => {
          printer.output(u.key, bytes);
          return live.writableNeedDrain ? once(live, 'drain').then(() => undefined) : undefined;
        },
        onJobEnd: (u, r) => {
          printer.end(u.key);
          if (r.conclusion === 'skipped' || r.logFile === undefined) printer.line(u.key, style.status(r.conclusion, `○ ${r.conclusion}${r.error ? `: ${r.error}` : ''}`));
        },
      },
    });
    const exitCode = result.conclusion === 'cancelled' ? cancelledExitCode : result.conclusion === 'failure' ? 1 : 0;
    const summaries = result.jobs.filter((j) => j.summary !== '' && j.logFile !== undefined);
    for (const j of summaries) writeFileSync(j.logFile!.replace(/\.log$/, '.summary.md'), j.summary);
    if (g.json) {
      const doc = summaryJson(runId, result, units, exitCode, logDir, files, (s) => secretSet.maskString(s));
      process.stdout.write(JSON.stringify(doc) + '\n');
    } else {
      const out = process.stdout;
      out.write('\n' + summaryTable(result, g.color, cwd));
      const failed = result.jobs.filter((j) => j.conclusion === 'failure').length;
      const verdict = result.conclusion === 'success' ? 'succeeded' : result.conclusion === 'cancelled' ? 'was cancelled' : `failed (${failed} job${failed === 1 ? '' : 's'})`;
      for (const j of summaries) out.write(`${style.dim(`step summary of ${j.key}:`)} ${shortPath(j.logFile!.replace(/\.log$/, '.summary.md'), cwd)}\n`);
      out.write(`\n${style.status(result.conclusion, `run ${runId} ${verdict}`)} in ${seconds(result.durationMs)}; logs in ${shortPath(logDir, cwd)}/\n`);
    }
    process.exitCode = exitCode;
  } finally {
    stop.dispose();
    if (!keepWorkspaces) await rm(workRoot, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** `K=V` flags into a map; a flag without `=` is a usage error. */
function pairs(values: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new CairnError('USAGE', `${flag} expects KEY=VALUE, got '${v}'`, { flag, value: v });
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

/** A local run plays the push event when the pipeline has one, else a manual dispatch. */
function eventName(p: Pipeline): string {
  return p.on.push !== undefined ? 'push' : 'workflow_dispatch';
}

/** `workflow_dispatch` inputs take their defaults. */
function dispatchInputs(p: Pipeline): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(p.on.workflowDispatch?.inputs ?? {})) out[k] = v.default ?? '';
  return out;
}

/** Sortable and unique enough for one machine: `20250101-120000-ab12cd`. */
function newRunId(): string {
  const d = new Date();
  const p = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/**
 * Ctrl-C handling: the first SIGINT (or SIGTERM) cancels the run (running steps get SIGTERM,
 * then SIGKILL after the grace period; `always()` steps still run); the second kills
 * everything at once.
 */
function cancellation(style: ReturnType<typeof createStyle>, out: NodeJS.WriteStream): { cancel: AbortSignal; force: AbortSignal; dispose(): void } {
  const cancel = new AbortController();
  const force = new AbortController();
  const onSignal = (): void => {
    if (!cancel.signal.aborted) {
      out.write(style.status('cancelled', '\ncancelling: stopping running steps (press Ctrl-C again to kill them at once)') + '\n');
      cancel.abort();
    } else if (!force.signal.aborted) {
      out.write(style.status('cancelled', 'killing every running step') + '\n');
      force.abort();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    cancel: cancel.signal,
    force: force.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
