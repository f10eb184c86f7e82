/**
 * Durable file writes. The store's protocol (write a temporary name, fsync, rename, fsync the
 * directory where order matters) is spelled out where it is used; these are its pieces.
 *
 * Files are opened as plain descriptors through fs's callback API: a FileHandle (fs/promises)
 * costs tens of microseconds more CPU per open, and a batch opens several. Nothing here is
 * synchronous: on ext4 even creating or renaming a small file can wait milliseconds for a
 * journal commit that another fsync started, and that must not stop the node's event loop.
 */
import { close, open, write } from 'node:fs';
import { unlink } from 'node:fs/promises';

import { fsyncFd, syncDir } from '../util/fs-durable.js';

export { fsyncFd, syncDir };

/** Opens `path` with fs flags such as 'w' or 'w+'; resolves with the descriptor. */
export function openFd(path: string, flags: string): Promise<number> {
  return new Promise((resolve, reject) => open(path, flags, (err, fd) => (err ? reject(err) : resolve(fd))));
}

export function closeFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => close(fd, (err) => (err ? reject(err) : resolve())));
}

/** Writes all of `data` through `fd`, looping on short writes. */
export async function writeAllFd(fd: number, data: Uint8Array): Promise<void> {
  let done = 0;
  while (done < data.length) {
    done += await new Promise<number>((resolve, reject) => {
      write(fd, data, done, data.length - done, null, (err, n) => (err ? reject(err) : resolve(n)));
    });
  }
}

/** Writes `data` to `path` (creating or truncating it), fsynced when `sync` is set. */
export async function writeFileSynced(path: string, data: Uint8Array, sync: boolean): Promise<void> {
  const fd = await openFd(path, 'w');
  try {
    await writeAllFd(fd, data);
    if (sync) await fsyncFd(fd);
  } finally {
    await closeFd(fd);
  }
}

/** Removes a file that may already be gone. */
export async function unlinkIfPresent(path: string): Promise<void> {
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}
