/**
 * Finds or creates the store's bare repository. Creation is atomic: a sibling directory is
 * initialised and then renamed into place, so a crash never leaves half a repository that a
 * later open would mistake for a damaged one.
 */
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CairnError } from '../util/errors.js';
import { branchRef } from './constants.js';
import { syncDir } from './fs-durable.js';

/** Makes sure `dir` is a bare repository on branch `main`; creates one when absent or empty. */
export async function ensureRepo(dir: string): Promise<void> {
  const info = await stat(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (info !== null && !info.isDirectory()) {
    throw new CairnError('STORAGE_CORRUPT', `store path ${dir} is a file, not a git repository`, { dir });
  }
  if (info === null || (await readdir(dir)).length === 0) {
    await createRepo(dir);
    return;
  }
  await checkRepo(dir);
}

async function createRepo(dir: string): Promise<void> {
  const staging = `${dir}.init-tmp`;
  await rm(staging, { recursive: true, force: true });
  await initBare(staging);
  await rename(staging, dir);
  await syncDir(dirname(dir));
}

/**
 * Lays out an empty bare repository as `git init --bare` (and isomorphic-git's init) does. Written
 * here rather than loaded: isomorphic-git is ~2.5 MiB of every daemon's memory once imported, and
 * a node needs it for nothing else but rebuilding a lost pack index (object-db.ts).
 */
async function initBare(gitdir: string): Promise<void> {
  for (const sub of ['hooks', 'info', 'objects/info', 'objects/pack', 'refs/heads', 'refs/tags']) {
    await mkdir(join(gitdir, sub), { recursive: true });
  }
  await writeFile(join(gitdir, 'config'), '[core]\n\trepositoryformatversion = 0\n\tfilemode = false\n\tbare = true\n\tsymlinks = false\n\tignorecase = true\n');
  await writeFile(join(gitdir, 'HEAD'), `ref: ${branchRef}\n`);
}

async function checkRepo(dir: string): Promise<void> {
  const notStore = (why: string): CairnError =>
    new CairnError('STORAGE_CORRUPT', `${dir} is not a cairn store: ${why}`, { dir });
  if (await exists(join(dir, '.git'))) throw notStore('it is a working tree, the store is a bare repository');
  const head = await readFile(join(dir, 'HEAD'), 'utf8').catch(() => null);
  if (head === null) throw notStore('it has no HEAD file, so it is not a git repository');
  if (head.trim() !== `ref: ${branchRef}`) throw notStore(`its HEAD is ${JSON.stringify(head.trim())}, not ref: ${branchRef}`);
  for (const sub of ['objects', 'refs']) {
    if (!(await exists(join(dir, sub)))) throw notStore(`it has no ${sub}/ directory`);
  }
  await mkdir(join(dir, 'objects', 'pack'), { recursive: true });
  await mkdir(join(dir, 'refs', 'heads'), { recursive: true });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
