import type { Command } from 'commander';
import { CairnError } from '../../util/errors.js';

/** `cairn repl`: the colour terminal that follows the leader (arrives with the REPL issue). */
export function register(program: Command): void {
  program
    .command('repl')
    .description('interactive colour terminal that follows the leader')
    .action(() => {
      throw new CairnError('NOT_IMPLEMENTED', 'cairn repl is not implemented yet');
    });
}
