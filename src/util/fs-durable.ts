/**
 * The two pieces every durable writer here needs (the WAL and the git store): a full write and
 * a directory fsync. Each writer spells out its own protocol (temp name, fsync, rename, fsync
 * the directory) where it is used.
 */
import { closeSync, fsync, openSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/** Waits for `fd`'s data to reach the disk (a plain descriptor: no FileHandle to open or close). */
export function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));
}

/**
 * Fsyncs a directory, so that files created, renamed or deleted in it survive a power loss
 * (a file's own fsync does not cover its name in the directory on Linux). Open and close are
 * synchronous (microseconds) and only the fsync goes to the thread pool: one hop instead of
 * three, which halves its CPU (measured: ~120 against ~220 us).
 */
export async function syncDir(dir: string): Promise<void> {
  const fd = openSync(dir, 'r');
  try {
    await fsyncFd(fd);
  } finally {
    closeSync(fd);
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
