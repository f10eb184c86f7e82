import type { Command } from 'commander';

/** `cairn init [DIR]`: writes a pipeline for an npm, maven or cargo project. */
export function register(program: Command): void {
  program
    .command('init')
    .description('detect npm, maven or cargo projects and write a working pipeline')
    .argument('[dir]', 'project directory', '.')
    .option('--template <name>', 'npm | maven | cargo (default: detected)')
    .option('--force', 'overwrite an existing cairn.yml')
    .action(async (dir: string, opts: Record<string, unknown>, cmd: Command) => {
      const { initCommand } = await import('../init-command.js');
      await initCommand(dir, opts, cmd);
    });
}
