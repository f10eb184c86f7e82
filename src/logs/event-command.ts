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
export class EventCommandScanner {
  /** The next push starts a line. */
  #atLineStart = true;
  /** Bytes of a line that may still be a command. */
  #line: Uint8Array[] = [];
  #lineBytes = 0;
  #collecting = false;

  /**
   * Takes the next bytes; returns the commands whose lines ended in them. It jumps from colon
   * to colon (a native search) instead of walking lines: this runs on every byte a job prints.
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
    for (;;) {
      const p = bytes.indexOf(colon, i);
      if (p < 0) break;
      const lineStart = p === 0 ? this.#atLineStart : bytes[p - 1] === newline;
      if (!lineStart) {
        i = p + 1;
        continue;
      }
      const nl = bytes.indexOf(newline, p);
      this.#collecting = true;
      this.#collect(bytes.subarray(p, nl < 0 ? bytes.byteLength : nl));
      if (nl < 0) break;
      this.#endLine(found);
      i = nl + 1;
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
    this.#line.push(part.slice());
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
