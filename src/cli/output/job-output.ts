import { createStyle, jobColor } from './colors.js';

/** A partial line longer than this is printed without waiting for its end, so memory stays bounded. */
const partialLineBytesMax = 64 * 1024;

const newline = 0x0a;

/**
 * Interleaves the live output of parallel jobs on one terminal: each line gets its job's
 * prefix (`[build] `, coloured when colour is on), and only whole lines are written, so two
 * jobs never split each other's lines. Bytes are written as they came (no decoding).
 */
export class JobOutputPrinter {
  readonly #write: (bytes: Uint8Array) => void;
  readonly #color: boolean;
  readonly #partial = new Map<string, Buffer>();
  readonly #prefixes = new Map<string, Buffer>();

  constructor(write: (bytes: Uint8Array) => void, color: boolean) {
    this.#write = write;
    this.#color = color;
  }

  /** Prints a job's bytes, holding back its unfinished last line. */
  output(key: string, bytes: Uint8Array): void {
    let data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const held = this.#partial.get(key);
    if (held !== undefined) {
      data = Buffer.concat([held, data]);
      this.#partial.delete(key);
    }
    const prefix = this.#prefix(key);
    const parts: Buffer[] = [];
    let start = 0;
    for (let nl = data.indexOf(newline); nl >= 0; nl = data.indexOf(newline, start)) {
      parts.push(prefix, data.subarray(start, nl + 1));
      start = nl + 1;
    }
    const rest = data.subarray(start);
    if (rest.length > partialLineBytesMax) parts.push(prefix, rest, Buffer.from('\n'));
    else if (rest.length > 0) this.#partial.set(key, Buffer.from(rest));
    if (parts.length > 0) this.#write(Buffer.concat(parts));
  }

  /** A line of cairn's own about a job. */
  line(key: string, text: string): void {
    this.end(key);
    this.#write(Buffer.concat([this.#prefix(key), Buffer.from(text + '\n')]));
  }

  /** The job ended: prints its unfinished last line, if any. */
  end(key: string): void {
    const held = this.#partial.get(key);
    if (held === undefined) return;
    this.#partial.delete(key);
    this.#write(Buffer.concat([this.#prefix(key), held, Buffer.from('\n')]));
  }

  #prefix(key: string): Buffer {
    let p = this.#prefixes.get(key);
    if (p === undefined) {
      const style = createStyle(this.#color);
      p = Buffer.from(style.color(jobColor(key), `[${key}]`) + ' ');
      this.#prefixes.set(key, p);
    }
    return p;
  }
}
