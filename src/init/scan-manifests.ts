import type { Dirent } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { manifestBytesMax, manifestOf, scanDepthMax, scanDirsMax, skippedDirNames, templateKinds } from './constants.js';
import type { FoundManifest } from './coverage.js';
import { readMavenModules, readNpmWorkspaces } from './manifest-readers.js';

/** Every manifest below `root` (breadth first, within the limits), and what could not be read. */
export async function scanManifests(root: string): Promise<{ found: FoundManifest[]; warnings: string[] }> {
  const found: FoundManifest[] = [];
  const warnings: string[] = [];
  // Breadth first, so the limits cut off the deepest folders, where projects are least likely.
  const queue: Array<{ rel: string; depth: number }> = [{ rel: '.', depth: 0 }];
  let visited = 0;
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    if (visited === scanDirsMax) {
      warnings.push(`stopped searching after ${scanDirsMax} folders; run cairn init in the project's own folder`);
      break;
    }
    visited++;
    const abs = next.rel === '.' ? root : join(root, next.rel);
    let entries: Dirent[];
    try {
      entries = await readdir(abs, { withFileTypes: true });
    } catch (err) {
      if (next.rel === '.') throw err;
      warnings.push(`cannot read ${next.rel}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      continue;
    }
    const names = new Set(entries.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name));
    for (const kind of templateKinds) {
      const manifest = manifestOf[kind];
      if (!names.has(manifest)) continue;
      const rel = next.rel === '.' ? manifest : `${next.rel}/${manifest}`;
      if (next.rel.includes('${{')) {
        // The folder would become an expression in working-directory: leave it to the user.
        warnings.push(`skipped ${rel}: its path contains "\${{"`);
        continue;
      }
      found.push(await describe(kind, next.rel, join(abs, manifest), rel, warnings));
    }
    // Symbolic links to folders are not followed: they can loop, or leave the project.
    const subdirs = entries
      .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !skippedDirNames.has(e.name))
      .map((e) => e.name)
      .sort();
    if (next.depth === scanDepthMax) continue;
    for (const name of subdirs) queue.push({ rel: next.rel === '.' ? name : `${next.rel}/${name}`, depth: next.depth + 1 });
  }
  return { found, warnings };
}

async function describe(
  kind: FoundManifest['kind'],
  dir: string,
  file: string,
  rel: string,
  warnings: string[],
): Promise<FoundManifest> {
  if (kind === 'cargo') return { kind, dir };
  let text: string;
  try {
    text = await readHead(file);
  } catch (err) {
    warnings.push(`cannot read ${rel}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    return { kind, dir };
  }
  if (kind === 'maven') return { kind, dir, modules: readMavenModules(text) };
  const ws = readNpmWorkspaces(text);
  if ('problem' in ws) {
    warnings.push(`${rel}: ${ws.problem}; treating it as a package without workspaces`);
    return { kind, dir };
  }
  return { kind, dir, workspaces: ws.workspaces };
}

/** The first manifestBytesMax bytes of a file, as UTF-8. */
async function readHead(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(manifestBytesMax);
    const { bytesRead } = await handle.read(buf, 0, manifestBytesMax, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
