import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { Command } from 'commander';
import { CairnError } from '../../util/errors.js';
import { clientFor, formatTable, printJson } from '../client.js';
import { globalOptions } from '../context.js';

/** `cairn pipelines add|list|remove`: pipelines registered in the cluster's config. */
export function register(program: Command): void {
  const p = program.command('pipelines').description("pipelines registered in the cluster's config");
  p.command('add')
    .argument('<file>', 'pipeline file')
    .option('--name <name>', 'name to register it under (default: the file name)')
    .option('--repo <url>', 'repository to check out when it runs')
    .option('--ref <rev>', 'revision of that repository')
    .description('register a pipeline so `cairn submit NAME` runs it')
    .action(async (file: string, opts: { name?: string; repo?: string; ref?: string }, cmd: Command) => {
      const content = await readFile(file, 'utf8').catch((e: unknown) => {
        throw new CairnError('INVALID_INPUT', `cannot read ${file}: ${(e as Error).message}`);
      });
      const name = opts.name ?? basename(file, extname(file));
      const res = await clientFor(cmd).addPipeline({ name, content, ...(opts.repo ? { repo: opts.repo } : {}), ...(opts.ref ? { ref: opts.ref } : {}) });
      if (globalOptions(cmd).json) printJson(res);
      else process.stdout.write(`registered pipeline ${name}\n`);
    });
  p.command('list')
    .description('list registered pipelines')
    .action(async (_o: unknown, cmd: Command) => {
      const rows = (await clientFor(cmd).pipelines()) as Array<{ name: string; repo?: string; ref?: string }>;
      if (globalOptions(cmd).json) return printJson(rows);
      process.stdout.write(formatTable(['NAME', 'REPO', 'REF'], rows.map((r) => [r.name, r.repo ?? '', r.ref ?? ''])));
    });
  p.command('remove')
    .argument('<name>')
    .description('remove a registered pipeline')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const res = await clientFor(cmd).removePipeline(name);
      if (globalOptions(cmd).json) printJson(res);
      else process.stdout.write(`removed pipeline ${name}\n`);
    });
}
