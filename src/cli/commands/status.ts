import type { Command } from 'commander';
import { clientFor, formatTable, printJson } from '../client.js';
import { globalOptions } from '../context.js';

interface Attempt { n: number; node: string; state: string; exitCode: number | null; startedAt: number | null; finishedAt: number | null }

/** `cairn status JOB`: state, node, attempts, and why it waits. */
export function register(program: Command): void {
  program
    .command('status')
    .argument('<job>', 'job id')
    .description('one job: state, node, attempts, steps')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const s = (await clientFor(cmd).job(id)) as { id: string; name: string; state: string; node: string | null; labels: string[]; reason?: string | null; attempts: Attempt[] };
      if (globalOptions(cmd).json) return printJson(s);
      process.stdout.write(`${s.id}  ${s.name}\nstate:  ${s.state}\nnode:   ${s.node ?? '-'}\nlabels: ${s.labels.join(',') || '-'}\n`);
      if (s.reason) process.stdout.write(`why:    ${s.reason}\n`);
      if (s.attempts.length) {
        const t = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());
        process.stdout.write('\n' + formatTable(['#', 'NODE', 'STATE', 'EXIT', 'STARTED', 'FINISHED'], s.attempts.map((a) => [String(a.n), a.node, a.state, a.exitCode === null ? '-' : String(a.exitCode), t(a.startedAt), t(a.finishedAt)])));
      }
    });
}
