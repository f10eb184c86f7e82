import { relative } from 'node:path';
import type { JobResult, RunResult, RunUnit } from '../../exec/index.js';
import type { JsonValue } from '../../pipeline/index.js';
import { createStyle } from './colors.js';

/** The `--json` document of `cairn run`: stable field names for scripts. */
export interface RunSummaryJson {
  runId: string;
  conclusion: string;
  exitCode: number;
  durationMs: number;
  logDir: string;
  pipelines: string[];
  jobs: Array<{
    key: string;
    jobId: string;
    name: string;
    matrix: Record<string, JsonValue>;
    needs: string[];
    status: string;
    outcome: string;
    startedAt: string;
    durationMs: number;
    logFile: string | null;
    outputs: Record<string, string>;
    error: string | null;
    steps: Array<{ name: string; id: string | null; outcome: string; conclusion: string; exitCode: number | null; durationMs: number; error: string | null }>;
  }>;
}

export function summaryJson(
  runId: string,
  run: RunResult,
  units: RunUnit[],
  exitCode: number,
  logDir: string,
  pipelines: string[],
  mask: (s: string) => string,
): RunSummaryJson {
  return {
    runId,
    conclusion: run.conclusion,
    exitCode,
    durationMs: Math.round(run.durationMs),
    logDir,
    pipelines,
    jobs: run.jobs.map((j, i) => {
      const u = units[i]!;
      return {
        key: j.key,
        jobId: j.jobId,
        name: j.name,
        matrix: u.instance.matrix,
        needs: u.needs,
        status: j.conclusion,
        outcome: j.outcome,
        startedAt: j.startedAt,
        durationMs: Math.round(j.durationMs),
        logFile: j.logFile ?? null,
        outputs: Object.fromEntries(Object.entries(j.outputs).map(([k, v]) => [k, mask(v)])),
        error: j.error ?? null,
        steps: j.steps.map((s) => ({
          name: s.name,
          id: s.id ?? null,
          outcome: s.outcome,
          conclusion: s.conclusion,
          exitCode: s.exitCode,
          durationMs: Math.round(s.durationMs),
          error: s.error ?? null,
        })),
      };
    }),
  };
}

/** The table printed after a run: job, status, duration, log file. */
export function summaryTable(run: RunResult, color: boolean, cwd: string): string {
  const style = createStyle(color);
  const rows = run.jobs.map((j) => [j.key, statusText(j), seconds(j.durationMs), j.logFile === undefined ? '-' : shortPath(j.logFile, cwd)] as const);
  const header = ['JOB', 'STATUS', 'DURATION', 'LOG'] as const;
  const widths = [0, 1, 2].map((c) => Math.max(header[c]!.length, ...rows.map((r) => r[c]!.length)));
  const pad = (s: string, w: number): string => s + ' '.repeat(Math.max(0, w - s.length));
  const lines = [style.bold(header.map((h, c) => (c < 3 ? pad(h, widths[c]!) : h)).join('  '))];
  run.jobs.forEach((j, i) => {
    const r = rows[i]!;
    lines.push([pad(r[0], widths[0]!), style.status(j.conclusion, pad(r[1], widths[1]!)), pad(r[2], widths[2]!), style.dim(r[3])].join('  '));
  });
  return lines.join('\n') + '\n';
}

function statusText(j: JobResult): string {
  if (j.outcome === 'failure' && j.conclusion === 'success') return 'failure (allowed)';
  return j.conclusion;
}

export function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : ms < 600_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** A path relative to the working directory when it lies below it. */
export function shortPath(p: string, cwd: string): string {
  const r = relative(cwd, p);
  return r.startsWith('..') ? p : r;
}
