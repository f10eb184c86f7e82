import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parsePipeline } from '../../src/pipeline/index.js';
import { cairn, type CliResult } from './helpers.js';

/** Which runner ran a generated pipeline: the real `cairn run`, or the stand-in below. */
export type Runner = 'cairn run' | 'bash stand-in';

let chosen: Promise<Runner> | undefined;

/**
 * `cairn run` once it is implemented (it answers NOT_IMPLEMENTED until the executor's command
 * lands); until then a stand-in that does what it will do for these one-job pipelines.
 */
export function runner(): Promise<Runner> {
  chosen ??= cairn(['--json', 'run', '--dry-run', join(process.cwd(), 'templates', 'npm.yml')]).then((probe) =>
    /NOT_IMPLEMENTED/.test(probe.stdout + probe.stderr) ? 'bash stand-in' : 'cairn run',
  );
  return chosen;
}

/** Runs the pipeline `file` with extra environment `env`, the way `cairn run FILE --env K=V` does. */
export async function runPipeline(
  file: string,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<CliResult & { runner: Runner }> {
  const which = await runner();
  if (which === 'cairn run') {
    const args = ['run', file, ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`])];
    return { ...(await cairn(args, { timeoutMs })), runner: which };
  }
  return { ...(await bashStandIn(file, env, timeoutMs)), runner: which };
}

/**
 * The stand-in: each job in a fresh workspace holding a copy of the project (what the built-in
 * `actions/checkout` does outside git), then its `run:` steps with GitHub's default shell
 * (`bash --noprofile --norc -eo pipefail`) in `defaults.run.working-directory`, stopping at the
 * first failure.
 */
async function bashStandIn(file: string, env: Record<string, string>, timeoutMs: number): Promise<CliResult> {
  const pipeline = parsePipeline(await readFile(file, 'utf8'), file);
  const project = dirname(file);
  let stdout = '';
  let stderr = '';
  for (const job of pipeline.jobs) {
    const workspace = await mkdtemp(join(tmpdir(), `cairn-init-ws-${job.id}-`));
    try {
      for (const step of job.steps) {
        if (step.uses !== undefined) {
          if (!step.uses.startsWith('actions/checkout@')) throw new Error(`stand-in cannot run uses: ${step.uses}`);
          await cp(project, workspace, { recursive: true, verbatimSymlinks: true, filter: (src) => !/\/\.(git|cairn)$/.test(src) });
          continue;
        }
        const cwd = join(workspace, step.workingDirectory ?? job.defaults.workingDirectory ?? '.');
        const r = await new Promise<{ code: number; out: string; err: string }>((resolve) => {
          execFile(
            'bash',
            ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run ?? ''],
            { cwd, env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 },
            (err, out, errOut) => resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, out, err: errOut }),
          );
        });
        stdout += `[${job.id}] $ ${step.run}\n${r.out}`;
        stderr += r.err;
        if (r.code !== 0) return { code: 1, stdout, stderr };
      }
    } finally {
      await rm(workspace, { recursive: true, force: true });
    }
  }
  return { code: 0, stdout, stderr };
}
