/**
 * The two pieces every durable writer here needs (the WAL and the git store): a full write and
 * a directory fsync. Each writer spells out its own protocol (temp name, fsync, rename, fsync
 * the directory) where it is used.
 */
import { open, type FileHandle } from 'node:fs/promises';

/**
 * Fsyncs a directory, so that files created, renamed or deleted in it survive a power loss
 * (a file's own fsync does not cover its name in the directory on Linux).
 */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes all of `buf`, looping on short writes (rare on regular files, but allowed). */
export async function writeAll(fh: FileHandle, buf: Uint8Array): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await fh.write(buf, done, buf.length - done);
    done += bytesWritten;
  }
}
