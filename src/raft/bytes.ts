/**
 * A minimal binary writer and reader for the wire codec: unsigned LEB128 varints (exact up to
 * 2^53, the safe-integer range of terms and indexes), length-prefixed byte strings and UTF-8
 * strings. The reader returns subarrays of its input, so entry data is never copied on decode.
 */
import { CairnError } from '../util/errors.js';

/** Initial capacity of a writer; it doubles as needed. */
const writerBytesInitial = 256;

const utf8Encoder = new TextEncoder();

/** Encoded short strings (node ids) kept for reuse, and the bounds of that cache. */
const strCache = new Map<string, Uint8Array>();
const strCacheEntriesMax = 4096;
const strCacheLengthMax = 64;
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

export class ByteWriter {
  private buf: Uint8Array;
  private pos = 0;

  constructor(capacityBytes = writerBytesInitial) {
    this.buf = new Uint8Array(Math.max(16, capacityBytes));
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
  }

  bool(v: boolean): void {
    this.u8(v ? 1 : 0);
  }

  /** Unsigned varint; arithmetic (not bitwise) so values above 2^32 survive. */
  uint(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`not an unsigned safe integer: ${v}`);
    this.ensure(8);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  bytes(b: Uint8Array): void {
    this.uint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  str(s: string): void {
    let b = strCache.get(s);
    if (b === undefined) {
      b = utf8Encoder.encode(s);
      // Node ids repeat in every message: remember a bounded number of short strings.
      if (s.length <= strCacheLengthMax && strCache.size < strCacheEntriesMax) strCache.set(s, b);
    }
    this.bytes(b);
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

function malformed(why: string): CairnError {
  return new CairnError('INVALID_INPUT', `malformed raft message: ${why}`, {});
}

export class ByteReader {
  private pos = 0;

  constructor(private readonly buf: Uint8Array) {}

  u8(): number {
    const v = this.buf[this.pos];
    if (v === undefined) throw malformed('truncated');
    this.pos++;
    return v;
  }

  bool(): boolean {
    const v = this.u8();
    if (v > 1) throw malformed('bad boolean');
    return v === 1;
  }

  uint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * scale;
      if (b < 0x80) break;
      scale *= 0x80;
      if (scale > Number.MAX_SAFE_INTEGER) throw malformed('varint too long');
    }
    if (!Number.isSafeInteger(result)) throw malformed('varint out of range');
    return result;
  }

  bytes(): Uint8Array {
    const n = this.uint();
    if (this.pos + n > this.buf.length) throw malformed('truncated bytes');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  str(): string {
    try {
      return utf8Decoder.decode(this.bytes());
    } catch (err) {
      if (err instanceof CairnError) throw err;
      throw malformed('bad utf-8');
    }
  }

  /** Asserts every byte was consumed: trailing garbage means a framing bug or corruption. */
  end(): void {
    if (this.pos !== this.buf.length) throw malformed('trailing bytes');
  }
}
