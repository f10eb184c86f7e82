import type { Command } from 'commander';
import { clientFor, formatTable, printJson } from '../client.js';
import { globalOptions } from '../context.js';

interface NodeRow { name: string; id: string; labels: string[]; role: string; state: string; slots: number; running: number }

/** `cairn cluster status`: leader, term, nodes with labels, roles and load. */
export function register(program: Command): void {
  program
    .command('cluster')
    .description('cluster state')
    .command('status')
    .description('leader, term, nodes with labels, roles, load')
    .action(async (_opts: unknown, cmd: Command) => {
      const status = (await clientFor(cmd).cluster()) as { leader: string | null; term: number; nodes: NodeRow[] };
      if (globalOptions(cmd).json) return printJson(status);
      process.stdout.write(`leader: ${status.leader ?? '(none)'}   term: ${status.term}\n\n`);
      process.stdout.write(
        formatTable(
          ['NODE', 'ROLE', 'STATE', 'LOAD', 'LABELS'],
          status.nodes.map((n) => [n.name, n.role, n.state, `${n.running}/${n.slots}`, n.labels.join(',')]),
        ),
      );
    });
}
