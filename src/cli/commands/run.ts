import type { Command } from 'commander';

/** `cairn run [FILE|DIR]`: runs a pipeline on this machine, with no daemon. */
export function register(program: Command): void {
  program
    .command('run')
    .description('run a pipeline locally (default: cairn.yml or .github/workflows/*.yml)')
    .argument('[target]', 'pipeline file, shebang script, or directory')
    .option('--job <id>', 'run only this job (and what it needs)')
    .option('--matrix <k=v>', 'restrict the matrix to k=v (repeatable)', collect, [])
    .option('--env <K=V>', 'set an environment variable (repeatable)', collect, [])
    .option('--secret <K=V>', 'pass a secret, masked in all output (repeatable)', collect, [])
    .option('--dry-run', 'print the plan (the DAG after matrix expansion) and run nothing')
    .action(async (target: string | undefined, opts: Record<string, unknown>, cmd: Command) => {
      const { runCommand } = await import('../run-command.js');
      await runCommand(target, opts, cmd);
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
