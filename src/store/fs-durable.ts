/**
 * Durable file writes. The store's protocol (write a temporary name, fsync, rename, fsync the
 * directory where order matters) is spelled out where it is used; these are its pieces.
 */
import { open, unlink } from 'node:fs/promises';

import { syncDir, writeAll } from '../util/fs-durable.js';

export { syncDir, writeAll };

/** Writes `data` to `path` (creating or truncating it), fsynced when `sync` is set. */
export async function writeFileSynced(path: string, data: Uint8Array, sync: boolean): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await writeAll(fh, data);
    if (sync) await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Removes a file that may already be gone. */
export async function unlinkIfPresent(path: string): Promise<void> {
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}
