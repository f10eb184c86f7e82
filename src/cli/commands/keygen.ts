import type { Command } from 'commander';

/** `cairn keygen --out FILE`: a new cluster pre-shared key. */
export function register(program: Command): void {
  program
    .command('keygen')
    .description('write a new cluster pre-shared key')
    .requiredOption('--out <file>', 'where to write the key (mode 0600)')
    .action(async (opts: { out: string }, cmd: Command) => {
      const { keygenCommand } = await import('../keygen-command.js');
      await keygenCommand(opts, cmd);
    });
}
