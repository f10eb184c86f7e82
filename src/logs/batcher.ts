import { assert } from '../util/errors.js';
import type { LogChunk } from './chunk.js';
import { chunkBytesMax as defaultChunkBytesMax, chunkBytesMin as defaultChunkBytesMin, chunkFlushMs as defaultChunkFlushMs } from './constants.js';

/** Limits of a batcher; defaults in constants.ts. */
export interface BatcherInit {
  job: string;
  attempt: number;
  /** Bytes wait at most this long (by the times passed in) before they are cut. */
  chunkFlushMs?: number;
  chunkBytesMax?: number;
  /** A chunk holding at least this many bytes is cut at the end of the write that filled it. */
  chunkBytesMin?: number;
  /** Resume numbering after existing chunks (a writer reopening a log); default 0. */
  firstSeq?: number;
  firstOffset?: number;
}

/**
 * Cuts one attempt's byte stream into chunks: a chunk is cut as soon as it holds
 * `chunkBytesMax` bytes, at the end of a write once it holds `chunkBytesMin`, or once its
 * first byte has waited `chunkFlushMs`. Time is passed in
 * (no clock here); the caller arms a timer for `deadlineMs()` and calls `tick()` then.
 * Bytes pass through unchanged and in order, so concatenating the chunks gives the stream.
 *
 * Nothing of the caller's is kept: a write's bytes are valid only during `push` (the job log
 * reuses its memory), so the bytes that wait for more are copied into the batcher's own buffer.
 * A chunk's data is a view of the write or of that buffer, valid until the batcher's next call:
 * whoever keeps a chunk longer copies it.
 */
export class ChunkBatcher {
  readonly job: string;
  readonly attempt: number;
  readonly #flushMs: number;
  readonly #bytesMax: number;
  readonly #bytesMin: number;
  #seq: number;
  #offset: number;
  /** The pending bytes are `#buffer[0, #pendingBytes)`; allocated when first needed. */
  #buffer: Uint8Array | null = null;
  /**
   * The other buffer: a chunk cut from `#buffer` stays valid until the next call, while the
   * same push may already gather the write's tail, so the two take turns.
   */
  #spare: Uint8Array | null = null;
  #pendingBytes = 0;
  /** When the oldest pending byte arrived; meaningful only while bytes are pending. */
  #pendingSinceMs = 0;

  constructor(init: BatcherInit) {
    this.job = init.job;
    this.attempt = init.attempt;
    this.#flushMs = init.chunkFlushMs ?? defaultChunkFlushMs;
    this.#bytesMax = init.chunkBytesMax ?? defaultChunkBytesMax;
    this.#bytesMin = Math.min(init.chunkBytesMin ?? defaultChunkBytesMin, this.#bytesMax);
    this.#seq = init.firstSeq ?? 0;
    this.#offset = init.firstOffset ?? 0;
    assert(this.#bytesMax > 0 && this.#flushMs >= 0, 'batcher limits must be positive');
  }

  /** The sequence number the next chunk will get. */
  get nextSeq(): number {
    return this.#seq;
  }

  /** Bytes cut into chunks so far (the offset of the next chunk). */
  get cutBytes(): number {
    return this.#offset;
  }

  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /**
   * Takes the next bytes of the stream and returns the chunks now full. A chunk that is a
   * piece of this write alone is that piece (a view, no copy): under fast output each write
   * becomes a chunk as it is; only small writes (a line at a time) and tails are gathered.
   */
  push(bytes: Uint8Array, nowMs: number): LogChunk[] {
    const out: LogChunk[] = [];
    let pos = 0;
    while (pos < bytes.byteLength) {
      const left = bytes.byteLength - pos;
      if (this.#pendingBytes === 0) {
        this.#pendingSinceMs = nowMs;
        // A piece cut by size, or at the write's end past chunkBytesMin (or at once with no
        // time to wait): a chunk straight from the write.
        const take = Math.min(left, this.#bytesMax);
        if (take === this.#bytesMax || take >= this.#bytesMin || this.#flushMs === 0) {
          out.push(this.#chunk(take === bytes.byteLength ? bytes : bytes.subarray(pos, pos + take)));
          pos += take;
          continue;
        }
      }
      const take = Math.min(left, this.#bytesMax - this.#pendingBytes);
      this.#buffer ??= new Uint8Array(this.#bytesMax);
      this.#buffer.set(take === bytes.byteLength ? bytes : bytes.subarray(pos, pos + take), this.#pendingBytes);
      this.#pendingBytes += take;
      pos += take;
      if (this.#pendingBytes === this.#bytesMax) out.push(this.#cut());
    }
    if (this.#pendingBytes >= this.#bytesMin || (this.#pendingBytes > 0 && nowMs - this.#pendingSinceMs >= this.#flushMs)) out.push(this.#cut());
    return out;
  }

  /** When pending bytes must be cut (null when none are pending). */
  deadlineMs(): number | null {
    return this.#pendingBytes === 0 ? null : this.#pendingSinceMs + this.#flushMs;
  }

  /** Cuts the pending bytes if they have waited long enough. */
  tick(nowMs: number): LogChunk[] {
    const deadline = this.deadlineMs();
    return deadline !== null && nowMs >= deadline ? [this.#cut()] : [];
  }

  /** Cuts whatever is pending now (the stream ends or pauses). */
  flush(): LogChunk[] {
    return this.#pendingBytes === 0 ? [] : [this.#cut()];
  }

  /** Cuts the pending bytes; the next ones gather in the other buffer. */
  #cut(): LogChunk {
    const chunk = this.#chunk(this.#buffer!.subarray(0, this.#pendingBytes));
    [this.#buffer, this.#spare] = [this.#spare, this.#buffer];
    this.#pendingBytes = 0;
    return chunk;
  }

  #chunk(data: Uint8Array): LogChunk {
    const chunk: LogChunk = { job: this.job, attempt: this.attempt, seq: this.#seq, offset: this.#offset, timeMs: this.#pendingSinceMs, data };
    this.#seq++;
    this.#offset += data.byteLength;
    return chunk;
  }
}

/** Concatenates byte arrays into one new array of `total` bytes. */
export function concat(parts: readonly Uint8Array[], total?: number): Uint8Array {
  const out = new Uint8Array(total ?? parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
