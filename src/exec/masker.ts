import { maskText } from './constants.js';

const maskBytes = Buffer.from(maskText);

/**
 * The set of values to mask, shared by every output stream of a run: `--secret` values and
 * the `::add-mask::` values steps register. A multi-line value is masked whole and line by
 * line, as GitHub does, because tools often print one line of a key at a time.
 */
export class SecretSet {
  readonly #values: Buffer[] = [];
  readonly #seen = new Set<string>();
  #maxBytes = 0;

  /** Adds a value to mask; empty and whitespace-only values are ignored (masking them would mask everything). */
  add(value: string): void {
    const candidates = [value, ...(value.includes('\n') ? value.split(/\r?\n/).map((l) => l.trim()) : [])];
    for (const v of candidates) {
      if (v.trim() === '' || this.#seen.has(v)) continue;
      this.#seen.add(v);
      const b = Buffer.from(v);
      this.#values.push(b);
      this.#maxBytes = Math.max(this.#maxBytes, b.length);
    }
  }

  /** The values to mask, in the order they were added. */
  get values(): readonly Buffer[] {
    return this.#values;
  }

  get maxBytes(): number {
    return this.#maxBytes;
  }

  /** Masks a whole string at once (summaries, error messages). */
  maskString(text: string): string {
    if (this.#values.length === 0) return text;
    const m = new MaskingStream(this);
    return Buffer.concat([m.push(Buffer.from(text)), m.flush()]).toString();
  }
}

/**
 * Masks one byte stream. Writes may split a secret anywhere, so the stream holds back the
 * longest tail that could still become a secret (at most the longest secret minus one byte)
 * and releases it once the next write shows it is not one. Everything else passes through
 * byte for byte, binary and invalid UTF-8 included.
 */
export class MaskingStream {
  readonly #secrets: SecretSet;
  #held: Buffer = Buffer.alloc(0);

  constructor(secrets: SecretSet) {
    this.#secrets = secrets;
  }

  /** Takes the next bytes of the stream; returns the bytes now safe to emit. */
  push(chunk: Uint8Array): Uint8Array {
    const values = this.#secrets.values;
    if (values.length === 0 && this.#held.length === 0) return chunk;
    const data = this.#held.length === 0 ? toBuffer(chunk) : Buffer.concat([this.#held, chunk]);
    const { parts, rest } = maskComplete(data, values);
    const keep = heldTailBytes(data, rest, values, this.#secrets.maxBytes);
    parts.push(data.subarray(rest, data.length - keep));
    this.#held = Buffer.from(data.subarray(data.length - keep));
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /** Ends the stream (or a pause in it): releases the held tail, masking the secrets it holds whole. */
  flush(): Uint8Array {
    const data = this.#held;
    this.#held = Buffer.alloc(0);
    if (data.length === 0) return data;
    const { parts, rest } = maskComplete(data, this.#secrets.values, true);
    parts.push(data.subarray(rest));
    return Buffer.concat(parts);
  }
}

function toBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** Replaces every whole secret in `data`; returns the masked parts and where the unmatched rest starts. */
function maskComplete(data: Buffer, values: readonly Buffer[], final = false): { parts: Buffer[]; rest: number } {
  const parts: Buffer[] = [];
  const next = values.map((v) => data.indexOf(v));
  let pos = 0;
  for (;;) {
    let best = -1;
    for (let i = 0; i < values.length; i++) {
      const at = next[i]!;
      if (at < 0) continue;
      if (best < 0 || at < next[best]! || (at === next[best]! && values[i]!.length > values[best]!.length)) best = i;
    }
    if (best < 0) return { parts, rest: pos };
    const at = next[best]!;
    // A longer secret may still complete here once more bytes arrive: decide later.
    if (!final && longerMayFollow(data, at, values[best]!.length, values)) return { parts, rest: pos };
    parts.push(data.subarray(pos, at), maskBytes);
    pos = at + values[best]!.length;
    // Only secrets whose next match now lies behind `pos` need a new search.
    for (let i = 0; i < values.length; i++) if (next[i]! >= 0 && next[i]! < pos) next[i] = data.indexOf(values[i]!, pos);
  }
}

/** Whether some secret longer than `matched` starts with all of data[at..]. */
function longerMayFollow(data: Buffer, at: number, matched: number, values: readonly Buffer[]): boolean {
  const tail = data.length - at;
  for (const v of values) {
    if (v.length > matched && v.length > tail && data.compare(v, 0, tail, at, data.length) === 0) return true;
  }
  return false;
}

/** Length of the longest suffix of data[from..] that is a proper prefix of some secret. */
function heldTailBytes(data: Buffer, from: number, values: readonly Buffer[], maxBytes: number): number {
  const start = Math.max(from, data.length - maxBytes + 1);
  for (let j = start; j < data.length; j++) {
    const tail = data.length - j;
    for (const v of values) {
      if (v.length > tail && v[0] === data[j] && data.compare(v, 0, tail, j, data.length) === 0) return tail;
    }
  }
  return 0;
}
