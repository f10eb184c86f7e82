/**
 * Durable file writes. The store's protocol (write a temporary name, fsync, rename, fsync the
 * directory where order matters) is spelled out where it is used; these are its pieces.
 */
import { open, unlink, type FileHandle } from 'node:fs/promises';

/** Fsyncs a directory, so that names created, renamed or removed in it survive a power loss. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes all of `buf`, looping on short writes. */
export async function writeAll(fh: FileHandle, buf: Uint8Array): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await fh.write(buf, done, buf.length - done);
    done += bytesWritten;
  }
}

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
