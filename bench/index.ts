/**
 * `npm run bench [-- NAME...]`: runs every bench/*.bench.ts in turn (one at a time: on two
 * cores they would perturb each other). Each prints its figures as ratios against a baseline
 * measured in the same run, because these machines are shared and noisy.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

for (const f of files) {
  process.stdout.write(`\n=== ${f.replace('.bench.ts', '')} ===\n`);
  const mod = (await import(pathToFileURL(join(here, f)).href)) as { default: () => Promise<void> };
  await mod.default();
}
