/**
 * The branch ref, read and written the way git does: a loose file `refs/heads/main` holding
 * the commit id, falling back to `packed-refs` (after a `git pack-refs`). Writes go through
 * `main.lock` and a rename, git's own locking convention, so git never reads a torn ref.
 */
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { CairnError } from '../util/errors.js';
import { branchRef } from './constants.js';
import { unlinkIfPresent, writeFileSynced } from './fs-durable.js';

const oidPattern = /^[0-9a-f]{40}$/;

/** The commit the branch points at, or null before the first commit. */
export async function readHead(gitdir: string): Promise<string | null> {
  const loose = await readOptional(join(gitdir, branchRef));
  if (loose !== null) {
    const oid = loose.trim();
    if (!oidPattern.test(oid)) throw new CairnError('STORAGE_CORRUPT', `${branchRef} in ${gitdir} does not hold a commit id`, { gitdir, ref: branchRef });
    return oid;
  }
  const packed = await readOptional(join(gitdir, 'packed-refs'));
  if (packed === null) return null;
  for (const line of packed.split('\n')) {
    const [oid, name] = line.split(' ');
    if (name === branchRef && oid !== undefined && oidPattern.test(oid)) return oid;
  }
  return null;
}

/**
 * Points the branch at `oid`: prepareHead() writes and fsyncs `main.lock` (it may run while
 * the batch's pack is being written), commitHead() renames it over the ref once the pack is
 * durable. A crash leaves the old ref or the new one. The directory is not fsynced after the
 * rename: losing it in a power cut only leaves the store one batch behind, which the log
 * replays.
 */
export async function prepareHead(gitdir: string, oid: string): Promise<void> {
  await writeFileSynced(join(gitdir, `${branchRef}.lock`), Buffer.from(`${oid}\n`), true);
}

export async function commitHead(gitdir: string): Promise<void> {
  await rename(join(gitdir, `${branchRef}.lock`), join(gitdir, branchRef));
}

/** prepareHead() then commitHead(), for a ref move with nothing to overlap. */
export async function writeHead(gitdir: string, oid: string): Promise<void> {
  await prepareHead(gitdir, oid);
  await commitHead(gitdir);
}

/** Removes the branch (an empty snapshot was installed). */
export async function deleteHead(gitdir: string): Promise<void> {
  await unlinkIfPresent(join(gitdir, branchRef));
}

/**
 * The commit a lock file left by a crash was about to point the branch at, or null (no lock,
 * or one torn before its fsync, in which case its batch's pack never went into place).
 */
export async function readLock(gitdir: string): Promise<string | null> {
  const text = await readOptional(join(gitdir, `${branchRef}.lock`));
  const oid = text?.trim() ?? '';
  return oidPattern.test(oid) ? oid : null;
}

/** A lock file left by a crash would block the git CLI; no other writer uses this repository. */
export async function clearStaleLock(gitdir: string): Promise<void> {
  await unlinkIfPresent(join(gitdir, `${branchRef}.lock`));
}

async function readOptional(path: string): Promise<string | null> {
  return readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
}
