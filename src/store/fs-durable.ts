/**
 * Durable file writes. The store's protocol (write a temporary name, fsync, rename, fsync the
 * directory where order matters) is spelled out where it is used; these are its pieces.
 *
 * The small steps (open, write, rename, unlink of files of a few KiB) are synchronous: each
 * takes microseconds, where a promise through libuv's thread pool costs tens of microseconds
 * of CPU, and a batch takes a dozen of them. Only fsync, which waits for the disk for
 * milliseconds, goes to the thread pool.
 */
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';

import { fsyncFd, syncDir } from '../util/fs-durable.js';

export { fsyncFd, syncDir };

/** Writes all of `data` through `fd`, looping on short writes. */
export function writeAllSync(fd: number, data: Uint8Array): void {
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done);
}

/** Writes `data` to `path` (creating or truncating it), fsynced when `sync` is set. */
export async function writeFileSynced(path: string, data: Uint8Array, sync: boolean): Promise<void> {
  const fd = openSync(path, 'w');
  try {
    writeAllSync(fd, data);
    if (sync) await fsyncFd(fd);
  } finally {
    closeSync(fd);
  }
}

/** Removes a file that may already be gone. */
export async function unlinkIfPresent(path: string): Promise<void> {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
