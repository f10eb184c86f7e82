import { isAbsolute, relative } from 'node:path';
import type { Command } from 'commander';
import { initProject, templateKinds, type TemplateKind } from '../init/index.js';
import { CairnError } from '../util/errors.js';
import { globalOptions } from './context.js';

/** `cairn init [DIR] [--template npm|maven|cargo] [--force]`: writes DIR/cairn.yml. */
export async function initCommand(dir: string, opts: Record<string, unknown>, cmd: Command): Promise<void> {
  const template = parseTemplate(opts['template']);
  const result = await initProject(dir, {
    ...(template === undefined ? {} : { template }),
    force: opts['force'] === true,
  });
  if (globalOptions(cmd).json) {
    const { file, overwritten, jobs, warnings } = result;
    process.stdout.write(JSON.stringify({ file, overwritten, jobs, warnings }) + '\n');
    return;
  }
  for (const w of result.warnings) process.stderr.write(`cairn: warning: ${w}\n`);
  // A path below the current folder reads best relative; anything else, absolute.
  const rel = relative(process.cwd(), result.file);
  const shown = rel === '' || rel.startsWith('..') || isAbsolute(rel) ? result.file : rel;
  const lines = [`${result.overwritten ? 'replaced' : 'wrote'} ${shown} with ${result.jobs.length} job${result.jobs.length === 1 ? '' : 's'}:`];
  const idWidth = Math.max(...result.jobs.map((j) => j.id.length));
  for (const j of result.jobs) lines.push(`  ${j.id.padEnd(idWidth)}  ${j.template.padEnd(5)}  ${j.workingDirectory}`);
  lines.push(`run it with: cairn run ${shown}`);
  process.stdout.write(lines.join('\n') + '\n');
}

function parseTemplate(value: unknown): TemplateKind | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (templateKinds as readonly string[]).includes(value)) return value as TemplateKind;
  throw new CairnError('USAGE', `unknown template ${JSON.stringify(value)}; use one of ${templateKinds.join(', ')}`, {
    template: value,
  });
}
