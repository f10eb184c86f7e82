import { maskText } from './constants.js';

const maskBytes = Buffer.from(maskText);
const empty = Buffer.alloc(0);

/**
 * The set of values to mask, shared by every output stream of a run: `--secret` values and
 * the `::add-mask::` values steps register. A multi-line value is masked whole and line by
 * line, as GitHub does, because tools often print one line of a key at a time.
 */
export class SecretSet {
  readonly #values: Buffer[] = [];
  readonly #seen = new Set<string>();

  /** Adds a value to mask; empty and whitespace-only values are ignored (masking them would mask everything). */
  add(value: string): void {
    const candidates = [value, ...(value.includes('\n') ? value.split(/\r?\n/).map((l) => l.trim()) : [])];
    for (const v of candidates) {
      if (v.trim() === '' || this.#seen.has(v)) continue;
      this.#seen.add(v);
      const b = Buffer.from(v);
      this.#values.push(b);
    }
  }

  /** The values to mask, in the order they were added. */
  get values(): readonly Buffer[] {
    return this.#values;
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
  #held: Buffer = empty;

  constructor(secrets: SecretSet) {
    this.#secrets = secrets;
  }

  /** Takes the next bytes of the stream; returns the bytes now safe to emit. */
  push(chunk: Uint8Array): Uint8Array {
    const values = this.#secrets.values;
    if (values.length === 0 && this.#held.length === 0) return chunk;
    const data = this.#held.length === 0 ? toBuffer(chunk) : Buffer.concat([this.#held, chunk]);
    const { parts, rest } = mask(data, values, false);
    // A copy: the caller may keep `data` (the job log does), so holding a view would pin it.
    this.#held = rest === data.length ? empty : Buffer.from(data.subarray(rest));
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /** Ends the stream (or a pause in it): releases the held tail, masking the secrets it holds whole. */
  flush(): Uint8Array {
    const data = this.#held;
    this.#held = empty;
    if (data.length === 0) return data;
    return Buffer.concat(mask(data, this.#secrets.values, true).parts);
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
function mask(data: Buffer, values: readonly Buffer[], final: boolean): { parts: Buffer[]; rest: number } {
  const parts: Buffer[] = [];
  const next = values.map((v) => data.indexOf(v));
  let pos = 0;
  let hold = final ? data.length : holdStart(data, 0, values);
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
    if (hold < pos) hold = holdStart(data, pos, values);
  }
  const keep = Math.max(pos, hold);
  parts.push(data.subarray(pos, keep));
  return { parts, rest: keep };
}

/**
 * The first position at or after `from` where data[j..] is a proper prefix of some secret;
 * data.length if none. It runs on every write, so candidates are found with a native search
 * for each secret's first byte, and only those are compared.
 */
function holdStart(data: Buffer, from: number, values: readonly Buffer[]): number {
  let first = data.length;
  for (const v of values) {
    // Only a tail shorter than the secret can be a proper prefix of it.
    let j = data.indexOf(v[0]!, Math.max(from, data.length - v.length + 1));
    while (j >= 0 && j < first) {
      if (tailIsPrefix(data, j, v)) first = j;
      else j = data.indexOf(v[0]!, j + 1);
    }
  }
  return first;
}

/** Whether data[j..] (shorter than `v`) is a prefix of `v`. */
function tailIsPrefix(data: Buffer, j: number, v: Buffer): boolean {
  for (let k = 1; j + k < data.length; k++) if (data[j + k] !== v[k]) return false;
  return true;
}
