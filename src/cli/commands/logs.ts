import type { Command } from 'commander';
import { clientFor } from '../client.js';
import { globalOptions } from '../context.js';
import { followLogs } from '../follow-logs.js';

/** `cairn logs JOB [--follow]`: a job's log bytes, exactly as the node wrote them. */
export function register(program: Command): void {
  program
    .command('logs')
    .argument('<job>', 'job id')
    .option('--follow', 'keep following until the job ends')
    .description("a job's log")
    .action(async (id: string, opts: { follow?: boolean }, cmd: Command) => {
      await followLogs(clientFor(cmd), id, { json: globalOptions(cmd).json, follow: opts.follow ?? false });
    });
}
