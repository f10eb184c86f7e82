import { dirname } from 'node:path';
import { cairn, type CliResult } from './helpers.js';

/**
 * Runs the pipeline `file` with the real CLI, `cairn run FILE --env K=V …`, from the project's
 * own folder (cairn run keeps its logs under the current folder's .cairn/).
 */
export async function runPipeline(file: string, env: Record<string, string>, timeoutMs: number): Promise<CliResult> {
  const args = ['run', file, ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`])];
  return cairn(args, { cwd: dirname(file), timeoutMs });
}
