/**
 * Durable file writes: write a temporary file, fsync it, rename it over the target, fsync the
 * directory. A reader (or a crash) sees the old file or the new one, never a torn one.
 */
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

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

/**
 * Replaces `path` atomically through `tmpPath`. The directory is fsynced only with
 * `syncDirectory`: callers whose later steps fsync the same directory skip it.
 */
export async function replaceFile(path: string, tmpPath: string, data: Uint8Array, syncDirectory: boolean): Promise<void> {
  await writeFileSynced(tmpPath, data, true);
  await rename(tmpPath, path);
  if (syncDirectory) await syncDir(dirname(path));
}

/** Removes a file that may already be gone. */
export async function unlinkIfPresent(path: string): Promise<void> {
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}
