import { CairnError } from '../util/errors.js';

/**
 * A tiny binary writer and reader for the log wire formats: unsigned LEB128 varints (safe
 * integers up to 2^53, so byte offsets never wrap), length-prefixed strings and raw bytes.
 * The reader throws INVALID_INPUT on truncated or oversized input: every byte it parses came
 * from a peer.
 */
export class ByteWriter {
  #buf: Uint8Array;
  #len = 0;

  constructor(initialBytes = 256) {
    this.#buf = new Uint8Array(initialBytes);
  }

  get length(): number {
    return this.#len;
  }

  varint(n: number): this {
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`cairn invariant violated: varint of ${n}`);
    this.#room(10);
    while (n >= 0x80) {
      this.#buf[this.#len++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    this.#buf[this.#len++] = n;
    return this;
  }

  byte(b: number): this {
    this.#room(1);
    this.#buf[this.#len++] = b & 0xff;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.#room(b.byteLength);
    this.#buf.set(b, this.#len);
    this.#len += b.byteLength;
    return this;
  }

  /** A varint length, then the bytes. */
  prefixed(b: Uint8Array): this {
    return this.varint(b.byteLength).bytes(b);
  }

  string(s: string): this {
    return this.prefixed(utf8.encode(s));
  }

  finish(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }

  #room(n: number): void {
    if (this.#len + n <= this.#buf.byteLength) return;
    const next = new Uint8Array(Math.max(this.#buf.byteLength * 2, this.#len + n));
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }
}

export class ByteReader {
  readonly #buf: Uint8Array;
  readonly #what: string;
  #pos = 0;

  constructor(buf: Uint8Array, what: string) {
    this.#buf = buf;
    this.#what = what;
  }

  get remaining(): number {
    return this.#buf.byteLength - this.#pos;
  }

  varint(): number {
    let n = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte();
      n += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (!Number.isSafeInteger(n)) break;
        return n;
      }
      scale *= 128;
    }
    throw this.fail('varint out of range');
  }

  byte(): number {
    const b = this.#buf[this.#pos];
    if (b === undefined) throw this.fail('truncated');
    this.#pos++;
    return b;
  }

  bytes(n: number): Uint8Array {
    if (n > this.remaining) throw this.fail('truncated');
    const out = this.#buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  /** A varint length (at most `maxBytes`), then that many bytes. */
  prefixed(maxBytes: number): Uint8Array {
    const n = this.varint();
    if (n > maxBytes) throw this.fail(`field of ${n} bytes exceeds ${maxBytes}`);
    return this.bytes(n);
  }

  string(maxBytes: number): string {
    const b = this.prefixed(maxBytes);
    try {
      return utf8d.decode(b);
    } catch {
      throw this.fail('string is not UTF-8');
    }
  }

  /** The rest of the buffer. */
  rest(): Uint8Array {
    return this.bytes(this.remaining);
  }

  /** Every byte must have been read: trailing garbage means a different or broken format. */
  end(): void {
    if (this.remaining !== 0) throw this.fail(`${this.remaining} trailing bytes`);
  }

  fail(why: string): CairnError {
    return new CairnError('INVALID_INPUT', `malformed ${this.#what}: ${why}`, { at: this.#pos });
  }
}

const utf8 = new TextEncoder();
const utf8d = new TextDecoder('utf-8', { fatal: true });
