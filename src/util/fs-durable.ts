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

/** IOV_MAX on Linux: the most buffers one writev takes. */
const iovecsMax = 1024;

/**
 * Writes `buffers` in order with as few system calls as the kernel allows, going on from where
 * a short write (rare on regular files, but allowed) stopped. `writev` writes some buffers
 * through a descriptor or a FileHandle and resolves with the bytes it wrote.
 */
export async function writeAllv(writev: (buffers: Uint8Array[]) => Promise<{ bytesWritten: number }>, buffers: readonly Uint8Array[]): Promise<void> {
  for (let i = 0; i < buffers.length; i += iovecsMax) {
    let group = buffers.slice(i, i + iovecsMax);
    let left = group.reduce((n, b) => n + b.length, 0);
    while (left > 0) {
      const { bytesWritten } = await writev(group);
      left -= bytesWritten;
      if (left > 0) group = skipBytes(group, bytesWritten);
    }
  }
}

/** The buffers after their first `n` bytes. */
function skipBytes(buffers: Uint8Array[], n: number): Uint8Array[] {
  let i = 0;
  while (n >= buffers[i]!.length) n -= buffers[i++]!.length;
  return [buffers[i]!.subarray(n), ...buffers.slice(i + 1)];
}

/** Writes all of `buf`, looping on short writes (rare on regular files, but allowed). */
export async function writeAll(fh: FileHandle, buf: Uint8Array): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await fh.write(buf, done, buf.length - done);
    done += bytesWritten;
  }
}
