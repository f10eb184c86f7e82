import { commandLineBytesMax } from './constants.js';

const addMaskPrefix = Buffer.from('::add-mask::');
const colon = 0x3a;
const newline = 0x0a;
const newlineColon = Buffer.from('\n:');

/** What one write to the scanner yields: bytes to pass on, and values to mask from now on. */
export interface ScanResult {
  bytes: Uint8Array;
  masks: string[];
}

/**
 * Finds GitHub workflow commands in a step's output stream. Only `::add-mask::VALUE` acts
 * today: the line is consumed (never logged, since it holds the secret) and VALUE is masked
 * from then on. Every other byte passes through unchanged and in order. Only lines that
 * start with `::add-mask::` are buffered, and at most `commandLineBytesMax` of them, so a
 * binary stream or a 100 MB line costs no memory.
 */
export class CommandScanner {
  #atLineStart = true;
  /** A line start being inspected, when it might be `::add-mask::`. */
  #line: Buffer[] = [];
  #lineBytes = 0;
  #collecting = false;

  push(chunk: Uint8Array): ScanResult {
    const out: Uint8Array[] = [];
    const masks: string[] = [];
    const data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let i = 0;
    while (i < data.length) {
      if (this.#collecting) {
        const nl = data.indexOf(newline, i);
        const end = nl < 0 ? data.length : nl + 1;
        this.#line.push(data.subarray(i, end));
        this.#lineBytes += end - i;
        i = end;
        if (nl >= 0) this.#endLine(out, masks);
        else this.#checkPrefix(out);
      } else if (this.#atLineStart && data[i] === colon) {
        this.#collecting = true;
      } else {
        // Only a line starting with ':' can be a command: jump from one "\n:" to the next.
        const k = data.indexOf(newlineColon, i);
        const end = k < 0 ? data.length : k + 1;
        out.push(data.subarray(i, end));
        this.#atLineStart = k >= 0 || data[end - 1] === newline;
        i = end;
      }
    }
    return { bytes: out.length === 1 ? out[0]! : Buffer.concat(out), masks };
  }

  /** The stream ended: a pending command line without its newline still counts. */
  flush(): ScanResult {
    const out: Uint8Array[] = [];
    const masks: string[] = [];
    if (this.#collecting) this.#endLine(out, masks);
    return { bytes: Buffer.concat(out), masks };
  }

  /** Stops collecting as soon as the line cannot be `::add-mask::`, or grows past the limit. */
  #checkPrefix(out: Uint8Array[]): void {
    const head = Buffer.concat(this.#line);
    const n = Math.min(head.length, addMaskPrefix.length);
    const couldBe = head.compare(addMaskPrefix, 0, n, 0, n) === 0;
    if (couldBe && this.#lineBytes <= commandLineBytesMax) {
      this.#line = [head];
      return;
    }
    out.push(head);
    this.#reset(false);
  }

  #endLine(out: Uint8Array[], masks: string[]): void {
    const line = Buffer.concat(this.#line);
    const isMask = line.length >= addMaskPrefix.length && line.compare(addMaskPrefix, 0, addMaskPrefix.length, 0, addMaskPrefix.length) === 0;
    if (isMask && this.#lineBytes <= commandLineBytesMax) {
      masks.push(line.subarray(addMaskPrefix.length).toString().replace(/\r?\n$/, ''));
    } else {
      out.push(line);
    }
    this.#reset(line.length > 0 && line[line.length - 1] === newline);
  }

  #reset(atLineStart: boolean): void {
    this.#line = [];
    this.#lineBytes = 0;
    this.#collecting = false;
    this.#atLineStart = atLineStart;
  }
}
