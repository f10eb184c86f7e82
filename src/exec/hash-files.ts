import { createHash } from 'node:crypto';
import { globSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** hashFiles() reads at most this many files, so a pattern like `**` cannot stall a job. */
const hashFilesCountMax = 10_000;

/**
 * GitHub's `hashFiles(patterns...)`: the SHA-256 over the SHA-256 of each matching regular
 * file under the workspace, in path order; '' when nothing matches. `!pattern` excludes.
 */
export function hashFiles(workspace: string, patterns: string[]): string {
  const include = patterns.filter((p) => !p.startsWith('!'));
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  const files = new Set<string>();
  for (const f of globSync(include, { cwd: workspace, exclude })) files.add(f);
  const sorted = [...files].sort().slice(0, hashFilesCountMax);
  const outer = createHash('sha256');
  let any = false;
  for (const f of sorted) {
    const full = join(workspace, f);
    try {
      if (!statSync(full).isFile()) continue;
      outer.update(createHash('sha256').update(readFileSync(full)).digest());
      any = true;
    } catch {
      // A file that vanished between the glob and the read does not count.
    }
  }
  return any ? outer.digest('hex') : '';
}
