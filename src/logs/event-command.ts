import { customEventDataBytesMax, eventCommandLineBytesMax } from './constants.js';
import { customEventNamePattern } from './event-codec.js';

/** A `::cairn-event name::data` line found in a step's output. */
export interface EventCommand {
  name: string;
  data: string;
}

const prefix = '::cairn-event ';
const prefixBytes = new TextEncoder().encode(prefix);
const newline = 0x0a;
const colon = 0x3a;
const utf8d = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses one output line (without its newline) as `::cairn-event NAME::DATA`. DATA is
 * unescaped as GitHub's workflow commands escape it (`%25` → `%`, `%0D` → CR, `%0A` → LF), so a
 * step can send several lines. Anything else — an invalid name, data over
 * `customEventDataBytesMax`, bytes that are not UTF-8 — is plain output and yields null.
 */
export function parseEventCommand(line: string): EventCommand | null {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (!text.startsWith(prefix)) return null;
  const sep = text.indexOf('::', prefix.length);
  if (sep < 0) return null;
  const name = text.slice(prefix.length, sep).trim();
  if (!customEventNamePattern.test(name)) return null;
  const data = text.slice(sep + 2).replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
  if (new TextEncoder().encode(data).byteLength > customEventDataBytesMax) return null;
  return { name, data };
}

/**
 * Finds `::cairn-event` lines in a byte stream split anywhere. It only observes: bytes are
 * not changed (the line stays in the log, like GitHub's `::notice::`). Feed it the masked
 * output, so event data never carries a secret. Only lines starting with `::` are buffered,
 * at most `eventCommandLineBytesMax` of each, so binary output or a huge line costs nothing.
 */
/**
 * Finds `needle` in `haystack` at or after `from`; -1 if absent. The I/O layer passes a native
 * search (Buffer's); the default walks from one `needle[0]` to the next.
 */
export type FindBytes = (haystack: Uint8Array, needle: Uint8Array, from: number) => number;

const newlineColon = new Uint8Array([newline, colon]);

/** The pure search: jumps from one first byte of `needle` to the next. */
export const findBytes: FindBytes = (haystack, needle, from) => {
  for (let j = haystack.indexOf(needle[0]!, from); j >= 0; j = haystack.indexOf(needle[0]!, j + 1)) {
    let k = 1;
    while (k < needle.byteLength && haystack[j + k] === needle[k]) k++;
    if (k === needle.byteLength) return j;
  }
  return -1;
};

export class EventCommandScanner {
  /** The next push starts a line. */
  #atLineStart = true;
  /** Bytes of a line that may still be a command. */
  #line: Uint8Array[] = [];
  #lineBytes = 0;
  #collecting = false;
  readonly #find: FindBytes;

  /** `find` locates line starts (`\n:`); pass a native search, this runs on every byte a job prints. */
  constructor(find: FindBytes = findBytes) {
    this.#find = find;
  }

  /**
   * Takes the next bytes; returns the commands whose lines ended in them. It jumps from one
   * line starting with a colon to the next (a search for `\n:`) instead of walking lines.
   */
  push(bytes: Uint8Array): EventCommand[] {
    const found: EventCommand[] = [];
    if (bytes.byteLength === 0) return found;
    let i = 0;
    if (this.#collecting) {
      // A candidate line continues from the previous write.
      const nl = bytes.indexOf(newline);
      this.#collect(bytes.subarray(0, nl < 0 ? bytes.byteLength : nl));
      if (nl < 0) {
        this.#atLineStart = false;
        return found;
      }
      this.#endLine(found);
      i = nl + 1;
    }
    // `i` starts a line here (the write's start at a line start, or just after a newline).
    let lineStart = i > 0 || this.#atLineStart;
    while (i < bytes.byteLength) {
      let p: number;
      if (lineStart && bytes[i] === colon) p = i;
      else {
        const k = this.#find(bytes, newlineColon, i);
        if (k < 0) break;
        p = k + 1;
      }
      const nl = bytes.indexOf(newline, p);
      this.#collecting = true;
      this.#collect(bytes.subarray(p, nl < 0 ? bytes.byteLength : nl));
      if (nl < 0) break;
      this.#endLine(found);
      i = nl + 1;
      lineStart = true;
    }
    this.#atLineStart = bytes[bytes.byteLength - 1] === newline;
    return found;
  }

  /** The stream ended: a command line without its final newline still counts. */
  flush(): EventCommand[] {
    const found: EventCommand[] = [];
    this.#endLine(found);
    this.#atLineStart = true;
    return found;
  }

  /** Keeps the bytes while the line can still be a command, and drops the line as soon as it cannot. */
  #collect(part: Uint8Array): void {
    if (part.byteLength === 0) return;
    const at = this.#lineBytes;
    for (let k = 0; at + k < prefixBytes.byteLength && k < part.byteLength; k++) {
      if (part[k] !== prefixBytes[at + k]) return this.#drop();
    }
    this.#lineBytes += part.byteLength;
    if (this.#lineBytes > eventCommandLineBytesMax) return this.#drop();
    // A copy (`new Uint8Array` copies; a Buffer's slice would not): the bytes are valid only during push.
    this.#line.push(new Uint8Array(part));
  }

  #drop(): void {
    this.#collecting = false;
    this.#line = [];
    this.#lineBytes = 0;
  }

  #endLine(found: EventCommand[]): void {
    if (this.#collecting && this.#lineBytes >= prefixBytes.byteLength) {
      const all = new Uint8Array(this.#lineBytes);
      let at = 0;
      for (const p of this.#line) {
        all.set(p, at);
        at += p.byteLength;
      }
      let text: string | null = null;
      try {
        text = utf8d.decode(all);
      } catch {
        text = null;
      }
      const cmd = text === null ? null : parseEventCommand(text);
      if (cmd !== null) found.push(cmd);
    }
    this.#drop();
  }
}
