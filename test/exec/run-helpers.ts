import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runPlan, unitsOf, type RunOptions, type RunResult } from '../../src/exec/index.js';
import { parsePipeline, planPipeline, type PlanOptions } from '../../src/pipeline/index.js';
import { tempDir } from './helpers.js';

export interface PipelineRun {
  result: RunResult;
  dir: string;
  /** The log file of a job, as bytes. */
  log(key: string): Buffer;
  /** Everything runPlan reported through onOutput, per job. */
  live: Map<string, Buffer[]>;
  cleanup(): void;
}

/** Writes `yaml` to a temp project, plans it and runs it through runPlan. */
export async function runYaml(
  yaml: string,
  opts: Partial<RunOptions> & { plan?: PlanOptions; files?: Record<string, string>; prepare?: (dir: string) => void } = {},
): Promise<PipelineRun> {
  const t = tempDir('cairn-run-');
  const file = join(t.dir, 'cairn.yml');
  writeFileSync(file, yaml);
  for (const [name, text] of Object.entries(opts.files ?? {})) {
    mkdirSync(dirname(join(t.dir, name)), { recursive: true });
    writeFileSync(join(t.dir, name), text, { mode: name.endsWith('.sh') ? 0o755 : 0o644 });
  }
  opts.prepare?.(t.dir);
  const plan = planPipeline(parsePipeline(yaml, file), opts.plan ?? {});
  const live = new Map<string, Buffer[]>();
  const { plan: _p, files: _f, prepare: _s, ...rest } = opts;
  const result = await runPlan({
    units: unitsOf(plan, t.dir),
    logDir: join(t.dir, '.cairn', 'logs'),
    workRoot: join(t.dir, '.cairn', 'work'),
    ...rest,
    events: {
      ...rest.events,
      onOutput: (u, b) => {
        const list = live.get(u.key) ?? [];
        list.push(Buffer.from(b));
        live.set(u.key, list);
      },
    },
  });
  return {
    result,
    dir: t.dir,
    live,
    log: (key) => readFileSync(result.jobs.find((j) => j.key === key)!.logFile!),
    cleanup: t.cleanup,
  };
}
