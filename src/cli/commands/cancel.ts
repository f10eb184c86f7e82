import type { Command } from 'commander';
import { clientFor, printJson } from '../client.js';
import { globalOptions } from '../context.js';

/** `cairn cancel JOB`. */
export function register(program: Command): void {
  program
    .command('cancel')
    .argument('<job>', 'job id')
    .description('cancel a job (its running attempt is stopped)')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const res = await clientFor(cmd).cancel(id);
      if (globalOptions(cmd).json) printJson(res);
      else process.stdout.write(`${id} cancelled\n`);
    });
}
