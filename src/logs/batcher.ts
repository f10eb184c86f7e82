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
 */
export class ChunkBatcher {
  readonly job: string;
  readonly attempt: number;
  readonly #flushMs: number;
  readonly #bytesMax: number;
  readonly #bytesMin: number;
  #seq: number;
  #offset: number;
  #parts: Uint8Array[] = [];
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
   * Takes the next bytes of the stream and returns the chunks now full. The batcher keeps
   * views of `bytes` (a chunk made of one write is that write, not a copy), so the caller must
   * not reuse the buffer; process output buffers never are.
   */
  push(bytes: Uint8Array, nowMs: number): LogChunk[] {
    const out: LogChunk[] = [];
    let pos = 0;
    while (pos < bytes.byteLength) {
      if (this.#pendingBytes === 0) this.#pendingSinceMs = nowMs;
      const take = Math.min(bytes.byteLength - pos, this.#bytesMax - this.#pendingBytes);
      this.#parts.push(pos === 0 && take === bytes.byteLength ? bytes : bytes.subarray(pos, pos + take));
      this.#pendingBytes += take;
      pos += take;
      if (this.#pendingBytes === this.#bytesMax) out.push(this.#cut());
    }
    // Past chunkBytesMin a chunk ends with the write: under fast output each pipe read becomes
    // a chunk as it is, with no copy; only small writes (a line at a time) are gathered.
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

  #cut(): LogChunk {
    // One part is taken as it is: copying 50 MB of output costs more in GC than in memcpy.
    const data = this.#parts.length === 1 ? this.#parts[0]! : concat(this.#parts, this.#pendingBytes);
    const chunk: LogChunk = { job: this.job, attempt: this.attempt, seq: this.#seq, offset: this.#offset, timeMs: this.#pendingSinceMs, data };
    this.#seq++;
    this.#offset += data.byteLength;
    this.#parts = [];
    this.#pendingBytes = 0;
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
