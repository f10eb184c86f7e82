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
    const { parts, rest } = mask(data, values, this.#secrets.maxBytes, false);
    this.#held = Buffer.from(data.subarray(rest));
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /** Ends the stream (or a pause in it): releases the held tail, masking the secrets it holds whole. */
  flush(): Uint8Array {
    const data = this.#held;
    this.#held = Buffer.alloc(0);
    if (data.length === 0) return data;
    return Buffer.concat(mask(data, this.#secrets.values, this.#secrets.maxBytes, true).parts);
  }
}

function toBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * Masks `data` left to right, earliest match first (the longer secret on a tie), exactly as
 * masking the whole stream at once would. Unless `final`, a match is only taken before the
 * first position where an incomplete secret could still be starting (more bytes may turn it
 * into an earlier or longer match); from there on the bytes are returned as `rest` to hold.
 */
function mask(data: Buffer, values: readonly Buffer[], maxBytes: number, final: boolean): { parts: Buffer[]; rest: number } {
  const parts: Buffer[] = [];
  const next = values.map((v) => data.indexOf(v));
  let pos = 0;
  let hold = final ? data.length : holdStart(data, 0, values, maxBytes);
  for (;;) {
    let best = -1;
    for (let i = 0; i < values.length; i++) {
      const at = next[i]!;
      if (at < 0) continue;
      if (best < 0 || at < next[best]! || (at === next[best]! && values[i]!.length > values[best]!.length)) best = i;
    }
    if (best < 0 || next[best]! >= hold) break;
    const at = next[best]!;
    parts.push(data.subarray(pos, at), maskBytes);
    pos = at + values[best]!.length;
    // Only secrets whose next match now lies behind `pos` need a new search.
    for (let i = 0; i < values.length; i++) if (next[i]! >= 0 && next[i]! < pos) next[i] = data.indexOf(values[i]!, pos);
    if (hold < pos) hold = holdStart(data, pos, values, maxBytes);
  }
  const keep = Math.max(pos, hold);
  parts.push(data.subarray(pos, keep));
  return { parts, rest: keep };
}

/** The first position at or after `from` where data[j..] is a proper prefix of some secret; data.length if none. */
function holdStart(data: Buffer, from: number, values: readonly Buffer[], maxBytes: number): number {
  for (let j = Math.max(from, data.length - maxBytes + 1); j < data.length; j++) {
    const tail = data.length - j;
    for (const v of values) {
      if (v.length > tail && v[0] === data[j] && data.compare(v, 0, tail, j, data.length) === 0) return j;
    }
  }
  return data.length;
}
