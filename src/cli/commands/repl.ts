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
      // ink draws only a final frame when it believes it runs in CI (CI=true in the environment).
      // A REPL with a terminal on both ends is interactive whatever the environment says (a
      // developer's shell, or tmux started by a CI job), so tell ink so before it loads.
      if (process.stdin.isTTY && process.stdout.isTTY) {
        for (const k of ['CI', 'CONTINUOUS_INTEGRATION']) if (k in process.env) process.env[k] = 'false';
      }
      const { runRepl } = await import('../../../repl/index.js');
      process.exitCode = await runRepl({ url: g.api, color: g.color, ...(token ? { token } : {}) });
    });
}
