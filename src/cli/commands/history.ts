import type { Command } from 'commander';
import { CairnError } from '../../util/errors.js';
import { clientFor, formatTable, printJson } from '../client.js';
import { globalOptions } from '../context.js';

/** `cairn history [--limit N]`: finished attempts, newest first, from the history repository. */
export function register(program: Command): void {
  program
    .command('history')
    .option('--limit <n>', 'how many records', '20')
    .description('finished jobs from the history repository')
    .action(async (opts: { limit: string }, cmd: Command) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new CairnError('USAGE', '--limit takes a whole number ≥ 1');
      const rows = (await clientFor(cmd).history(limit)) as Array<{ jobId: string; pipeline: string; job: string; node: string; attempt: number; state: string; exitCode: number | null; finishedAt: number | null }>;
      if (globalOptions(cmd).json) return printJson(rows);
      process.stdout.write(
        formatTable(
          ['JOB', 'PIPELINE', 'NAME', 'ATTEMPT', 'NODE', 'RESULT', 'FINISHED'],
          rows.map((r) => [r.jobId, r.pipeline, r.job, String(r.attempt), r.node, r.state, r.finishedAt ? new Date(r.finishedAt).toISOString() : '-']),
        ),
      );
    });
}
