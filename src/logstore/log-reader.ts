import { open, readFile, type FileHandle } from 'node:fs/promises';
import {
  decodeIndexRecords,
  decodeSeekTable,
  framesFor,
  seekFooterBytes,
  seekTableBytes,
  type IndexRecord,
  type LocatedFrame,
  type LogEnd,
} from '../logs/index.js';
import { CairnError } from '../util/errors.js';
import { indexCacheEntriesMax } from './constants.js';
import type { LogPaths } from './paths.js';
import { zstdDecompress } from './zstd.js';

/**
 * Reads the files of finished or running logs: the index, the end marker, and any byte range
 * from `<attempt>.log` or, once compressed at rest, from `<attempt>.log.zst` (decompressing
 * only the frames the range needs). Indexes and seek tables of finished logs are immutable and
 * cached (a repair storm hits the same few logs).
 */
export class LogReader {
  readonly #indexes = new Lru<IndexRecord[]>(indexCacheEntriesMax);
  readonly #tables = new Lru<LocatedFrame[]>(indexCacheEntriesMax);

  /** The end marker, or null while the attempt has none (running, or its owner died). */
  async end(paths: LogPaths): Promise<LogEnd | null> {
    let text: string;
    try {
      text = await readFile(paths.end, 'utf8');
    } catch (err) {
      if (isMissing(err)) return null;
      throw storageFailed(paths.end, err);
    }
    try {
      return JSON.parse(text) as LogEnd;
    } catch (err) {
      throw new CairnError('STORAGE_CORRUPT', `unreadable end marker ${paths.end}`, { file: paths.end }, { cause: err });
    }
  }

  /** The chunk index from `<attempt>.idx`; `finished` logs are cached. Null when there is no such log. */
  async index(paths: LogPaths, finished: boolean): Promise<IndexRecord[] | null> {
    const cached = this.#indexes.get(paths.idx);
    if (cached !== undefined) return cached;
    let bytes: Uint8Array;
    try {
      bytes = await readFile(paths.idx);
    } catch (err) {
      if (isMissing(err)) return null;
      throw storageFailed(paths.idx, err);
    }
    const records = decodeIndexRecords(bytes, 0);
    if (finished) this.#indexes.set(paths.idx, records);
    return records;
  }

  /** Raw bytes [from, to) of the log, from whichever form it has now. */
  async bytes(paths: LogPaths, from: number, to: number): Promise<Uint8Array> {
    if (to <= from) return new Uint8Array(0);
    // The raw file goes away once the compressed one is complete: try it first, then the other.
    const raw = await readRange(paths.log, from, to);
    if (raw !== null) return raw;
    const packed = await this.#zstRange(paths.zst, from, to);
    if (packed !== null) return packed;
    const again = await readRange(paths.log, from, to);
    if (again !== null) return again;
    throw new CairnError('NOT_FOUND', `log file ${paths.log} is gone`, { file: paths.log });
  }

  /** Forgets cached data of a log (it was deleted). */
  forget(paths: LogPaths): void {
    this.#indexes.delete(paths.idx);
    this.#tables.delete(paths.zst);
  }

  async #zstRange(file: string, from: number, to: number): Promise<Uint8Array | null> {
    const fh = await openIfPresent(file);
    if (fh === null) return null;
    try {
      let table = this.#tables.get(file);
      if (table === undefined) {
        const size = (await fh.stat()).size;
        const footer = await readAt(fh, size - seekFooterBytes, seekFooterBytes);
        const tableBytes = seekTableBytes(footer);
        table = decodeSeekTable(await readAt(fh, size - tableBytes, tableBytes));
        this.#tables.set(file, table);
      }
      const frames = framesFor(table, from, to);
      const out = new Uint8Array(to - from);
      for (const f of frames) {
        const raw = zstdDecompress(await readAt(fh, f.packedOffset, f.packedBytes), f.rawBytes);
        const start = Math.max(from, f.rawOffset);
        const end = Math.min(to, f.rawOffset + f.rawBytes);
        out.set(raw.subarray(start - f.rawOffset, end - f.rawOffset), start - from);
      }
      const last = frames[frames.length - 1];
      if (frames.length === 0 || frames[0]!.rawOffset > from || last!.rawOffset + last!.rawBytes < to) {
        throw new CairnError('STORAGE_CORRUPT', `compressed log ${file} does not hold bytes ${from}..${to}`, { file, from, to });
      }
      return out;
    } finally {
      await fh.close();
    }
  }
}

/** Bytes [from, to) of a file, or null when the file does not exist. */
async function readRange(file: string, from: number, to: number): Promise<Uint8Array | null> {
  const fh = await openIfPresent(file);
  if (fh === null) return null;
  try {
    const out = await readAt(fh, from, to - from);
    return out;
  } finally {
    await fh.close();
  }
}

/** The file opened for reading, or null when it does not exist. */
async function openIfPresent(file: string): Promise<FileHandle | null> {
  try {
    return await open(file, 'r');
  } catch (err) {
    if (isMissing(err)) return null;
    throw storageFailed(file, err);
  }
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const out = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(out, got, length - got, position + got);
    if (bytesRead === 0) throw new CairnError('STORAGE_CORRUPT', `log file ends before byte ${position + length}`, { position, length });
    got += bytesRead;
  }
  return out;
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

function storageFailed(file: string, err: unknown): CairnError {
  return new CairnError('STORAGE_FAILED', `cannot read ${file}: ${(err as Error).message}`, { file }, { cause: err });
}

/** A small least-recently-used map. */
class Lru<V> {
  readonly #max: number;
  readonly #map = new Map<string, V>();

  constructor(max: number) {
    this.#max = max;
  }

  get(key: string): V | undefined {
    const v = this.#map.get(key);
    if (v !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, v);
    }
    return v;
  }

  set(key: string, v: V): void {
    this.#map.delete(key);
    this.#map.set(key, v);
    if (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value!);
  }

  delete(key: string): void {
    this.#map.delete(key);
  }
}
