import type { Command } from 'commander';
import { clientFor, formatTable, printJson } from '../client.js';
import { globalOptions } from '../context.js';

/** `cairn jobs [--state S]`: the queue and recent jobs; waiting jobs say why. */
export function register(program: Command): void {
  program
    .command('jobs')
    .description('queue and recent jobs')
    .option('--state <state>', 'only jobs in this state (queued, placed, running, succeeded, failed, cancelled, lost)')
    .action(async (opts: { state?: string }, cmd: Command) => {
      const rows = (await clientFor(cmd).jobs(opts.state)) as Array<{ id: string; name: string; state: string; node: string | null; labels: string[]; reason?: string }>;
      if (globalOptions(cmd).json) return printJson(rows);
      process.stdout.write(
        formatTable(
          ['JOB', 'NAME', 'STATE', 'NODE', 'LABELS / WHY'],
          rows.map((r) => [r.id, r.name, r.state, r.node ?? '-', r.reason ? `${r.labels.join(',')} — ${r.reason}` : r.labels.join(',')]),
        ),
      );
    });
}
