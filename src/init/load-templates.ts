import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CairnError } from '../util/errors.js';
import { templateKinds, templateSearchLevelsMax } from './constants.js';
import type { TemplateSet } from './types.js';

/**
 * The folder holding cairn's templates/. It is found by walking up from this module, because
 * the module runs from src/init (tests, tsx) and from dist/ (the bundled CLI) alike.
 */
export function templatesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let level = 0; level <= templateSearchLevelsMax; level++) {
    const candidate = join(dir, 'templates');
    if (existsSync(join(candidate, 'npm.yml'))) return candidate;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new CairnError('INTERNAL', 'cannot find cairn templates/ folder next to the installed cairn', {
    from: fileURLToPath(import.meta.url),
  });
}

/** The text of every template. */
export async function loadTemplates(dir: string = templatesDir()): Promise<TemplateSet> {
  const entries = await Promise.all(
    templateKinds.map(async (kind) => [kind, await readFile(join(dir, `${kind}.yml`), 'utf8')] as const),
  );
  return Object.fromEntries(entries) as TemplateSet;
}
