import type { Command } from 'commander';
import { globalOptions } from '../context.js';

/**
 * `cairn repl`: the colour terminal that follows the leader. ink and React load only here,
 * inside the action, so other commands start without them.
 */
export function register(program: Command): void {
  program
    .command('repl')
    .description('interactive colour terminal that follows the leader (reads commands from stdin when not a terminal)')
    .action(async (_opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const token = process.env.CAIRN_API_TOKEN;
      const { runRepl } = await import('../../../repl/index.js');
      process.exitCode = await runRepl({ url: g.api, color: g.color, ...(token ? { token } : {}) });
    });
}
