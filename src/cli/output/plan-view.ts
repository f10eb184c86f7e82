import type { RunUnit } from '../../exec/index.js';
import type { JsonValue } from '../../pipeline/index.js';
import { jobOf, stepDisplayName } from '../../pipeline/index.js';
import { createStyle, jobColor } from './colors.js';

/** One job instance of a dry run, as `--json` prints it. */
export interface PlannedJobJson {
  key: string;
  jobId: string;
  name: string;
  pipeline: string;
  matrix: Record<string, JsonValue>;
  needs: string[];
  labels: string[];
  if: string | null;
  steps: string[];
}

export function planJson(units: RunUnit[]): { jobs: PlannedJobJson[] } {
  return {
    jobs: units.map((u) => {
      const job = jobOf({ pipeline: u.pipeline, instances: [] }, u.instance);
      return {
        key: u.key,
        jobId: u.instance.jobId,
        name: u.instance.name,
        pipeline: u.pipeline.file,
        matrix: u.instance.matrix,
        needs: u.needs,
        labels: [...u.instance.runsOn, ...job.labels],
        if: job.if ?? null,
        steps: job.steps.map((s) => stepDisplayName(s)),
      };
    }),
  };
}

/** The dry-run view: the DAG after matrix expansion, in the order jobs may start. */
export function planText(units: RunUnit[], color: boolean): string {
  const style = createStyle(color);
  const view = planJson(units);
  const lines = [style.bold(`plan: ${view.jobs.length} job instance${view.jobs.length === 1 ? '' : 's'}`)];
  for (const j of view.jobs) {
    lines.push('');
    lines.push(`${style.color(jobColor(j.key), j.key)}${j.name !== j.key ? style.dim(`  "${j.name}"`) : ''}`);
    lines.push(`  needs:  ${j.needs.length === 0 ? style.dim('(none)') : j.needs.join(', ')}`);
    lines.push(`  labels: ${j.labels.length === 0 ? style.dim('(any node)') : j.labels.join(', ')}`);
    if (j.if !== null) lines.push(`  if:     ${j.if}`);
    j.steps.forEach((s, i) => lines.push(`  ${i + 1}. ${s}`));
  }
  return lines.join('\n') + '\n';
}
