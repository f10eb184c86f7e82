import { Command, CommanderError } from 'commander';
import { CairnError, exitCodeOf } from '../util/errors.js';
import { registerCommands } from './commands/index.js';

/** Builds the `cairn` program; exported so tests can inspect `--help` without a process. */
export function createProgram(): Command {
  const program = new Command('cairn')
    .description('cairn: a masterless peer-to-peer build cluster, and the same pipelines locally')
    .version('0.1.0')
    .option('--api <url>', 'API of any cluster node (env CAIRN_API)', undefined)
    .option('--json', 'machine-readable output: one JSON document, or NDJSON for streams')
    .option('--no-color', 'plain output without colour (also NO_COLOR)')
    .option('-v, --verbose', 'more detail')
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are successful exits; every other parse failure is a usage error.
      return err.exitCode === 0 ? 0 : 2;
    }
    const json = argv.includes('--json');
    if (err instanceof CairnError) {
      if (json) process.stdout.write(JSON.stringify(err.toJSON()) + '\n');
      else process.stderr.write(`cairn: ${err.message}\n`);
    } else {
      process.stderr.write(`cairn: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    }
    return exitCodeOf(err);
  }
}

process.exitCode = await main(process.argv);
