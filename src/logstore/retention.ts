import { createHash } from 'node:crypto';
import { open, readdir, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeSeekTable, restFrameRawBytesMax, type LogEnd, type SeekFrame } from '../logs/index.js';
import { CairnError } from '../util/errors.js';
import { restCompressionLevel, retentionAgeMsDefault, retentionBytesMaxDefault } from './constants.js';
import type { LogStore } from './log-store.js';
import { exists } from './log-writer.js';
import type { LogPaths } from './paths.js';
import { sleep } from '../util/signal.js';
import { zstdCompressor } from './zstd.js';

/** How long and how much to keep; defaults in constants.ts. */
export interface RetentionPolicy {
  /** Finished logs older than this (by their end time) are deleted. */
  maxAgeMs: number;
  /** The logs directory's total size; past it the oldest finished logs go first. */
  totalBytesMax: number;
  /** zstd level for logs compressed at rest. */
  compressionLevel: number;
}

export const defaultRetention: RetentionPolicy = {
  maxAgeMs: retentionAgeMsDefault,
  totalBytesMax: retentionBytesMaxDefault,
  compressionLevel: restCompressionLevel,
};

export interface SweepReport {
  /** `job/attempt` of the logs compressed in this sweep. */
  compressed: string[];
  /** `job/attempt` of the logs deleted (age or size budget). */
  pruned: string[];
  /** Bytes the logs directory holds after the sweep. */
  totalBytes: number;
}

interface Attempt {
  job: string;
  attempt: number;
  paths: LogPaths;
  files: Array<{ path: string; bytes: number }>;
  end: LogEnd | null;
  /** End time, or the newest file's mtime for an attempt that never ended. */
  timeMs: number;
}

/**
 * Compresses a finished log at rest: `<attempt>.log` becomes `<attempt>.log.zst`, a run of
 * independent zstd frames of `restFrameRawBytesMax` raw bytes plus a seek table (zstd's
 * seekable format), so range reads still work and any zstd tool reads it. The raw file must
 * match the end marker's digest before it is deleted. False when there is nothing to do.
 */
export async function compressLog(paths: LogPaths, end: LogEnd, level = restCompressionLevel): Promise<boolean> {
  if (!(await exists(paths.log))) return false;
  if (await exists(paths.zst)) {
    // A previous sweep completed the compressed file and stopped before deleting the raw one.
    await unlink(paths.log);
    return true;
  }
  const compress = zstdCompressor(level);
  const tmp = `${paths.zst}.tmp`;
  const src = await open(paths.log, 'r');
  const dst = await open(tmp, 'w');
  const hash = createHash('sha256');
  const frames: SeekFrame[] = [];
  try {
    const buf = Buffer.allocUnsafe(restFrameRawBytesMax);
    let position = 0;
    for (;;) {
      let got = 0;
      while (got < buf.length) {
        const { bytesRead } = await src.read(buf, got, buf.length - got, position + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      if (got === 0) break;
      const raw = buf.subarray(0, got);
      hash.update(raw);
      const packed = compress([raw], got);
      await dst.write(packed);
      frames.push({ packedBytes: packed.byteLength, rawBytes: got });
      position += got;
      // Compression is synchronous: let the event loop breathe between frames.
      await sleep(0);
      if (got < buf.length) break;
    }
    if (position !== end.bytes || hash.digest('hex') !== end.sha256) {
      throw new CairnError('STORAGE_CORRUPT', `log ${paths.log} does not match its end marker`, { file: paths.log, bytes: position, expectedBytes: end.bytes });
    }
    await dst.write(encodeSeekTable(frames));
    await dst.datasync();
  } catch (err) {
    await dst.close();
    await src.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await dst.close();
  await src.close();
  await rename(tmp, paths.zst);
  await unlink(paths.log);
  return true;
}

/**
 * One retention pass over the logs directory: compresses finished logs, deletes those past
 * the age limit, then the oldest until the total fits the budget. Logs being written are never
 * touched; an attempt that never ended (its node died mid-job) ages by its files' mtime.
 */
export async function sweepLogs(store: LogStore, policy: RetentionPolicy, nowMs: number): Promise<SweepReport> {
  const report: SweepReport = { compressed: [], pruned: [], totalBytes: 0 };
  const attempts = await listAttempts(store);
  const kept: Attempt[] = [];
  for (const a of attempts) {
    const key = `${a.job}/${a.attempt}`;
    if (store.live(a.job, a.attempt) !== undefined) {
      report.totalBytes += sum(a.files);
      continue;
    }
    if (nowMs - a.timeMs > policy.maxAgeMs) {
      await remove(store, a);
      report.pruned.push(key);
      continue;
    }
    if (a.end !== null && (await compressLog(a.paths, a.end, policy.compressionLevel))) {
      report.compressed.push(key);
      a.files = await filesOf(a.paths);
    }
    kept.push(a);
    report.totalBytes += sum(a.files);
  }
  kept.sort((x, y) => x.timeMs - y.timeMs);
  for (const a of kept) {
    if (report.totalBytes <= policy.totalBytesMax) break;
    await remove(store, a);
    report.pruned.push(`${a.job}/${a.attempt}`);
    report.totalBytes -= sum(a.files);
  }
  return report;
}

async function listAttempts(store: LogStore): Promise<Attempt[]> {
  const out: Attempt[] = [];
  for (const job of await readdirOrEmpty(store.root)) {
    const seen = new Set<number>();
    for (const name of await readdirOrEmpty(join(store.root, job))) {
      const m = /^(\d+)\./.exec(name);
      if (m === null) continue;
      seen.add(Number(m[1]));
    }
    for (const attempt of seen) {
      let paths: LogPaths;
      try {
        paths = store.paths(job, attempt);
      } catch {
        continue; // not a directory cairn made
      }
      const files = await filesOf(paths);
      if (files.length === 0) continue;
      const end = await store.end(job, attempt).catch(() => null);
      const mtime = Math.max(...(await Promise.all(files.map(async (f) => (await stat(f.path)).mtimeMs))));
      out.push({ job, attempt, paths, files, end, timeMs: end?.timeMs ?? mtime });
    }
  }
  return out;
}

async function filesOf(paths: LogPaths): Promise<Array<{ path: string; bytes: number }>> {
  const out: Array<{ path: string; bytes: number }> = [];
  for (const path of [paths.log, paths.zst, `${paths.zst}.tmp`, paths.idx, paths.end]) {
    try {
      out.push({ path, bytes: (await stat(path)).size });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return out;
}

async function remove(store: LogStore, a: Attempt): Promise<void> {
  // The end marker goes first: a reader then never sees an ended log without its bytes.
  for (const f of [a.paths.end, ...a.files.map((x) => x.path)]) await rm(f, { force: true });
  store.forget(a.job, a.attempt);
  await rmdir(a.paths.dir).catch(() => undefined); // only once empty
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw err;
  }
}

function sum(files: Array<{ bytes: number }>): number {
  return files.reduce((n, f) => n + f.bytes, 0);
}
