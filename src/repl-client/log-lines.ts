import { afterCarriageReturn, keepColours } from './ansi.js';
import { logLineCharsMax } from './constants.js';

/**
 * Cuts one job's log bytes into lines. Chunks may split a line or a UTF-8 character anywhere;
 * the splitter carries the rest over to the next chunk.
 */
export class LineSplitter {
  readonly #decoder = new TextDecoder();
  #partial = '';

  /** The lines this chunk completes, raw (escapes kept). */
  push(data: Uint8Array): string[] {
    const text = this.#partial + this.#decoder.decode(data, { stream: true });
    const parts = text.split('\n');
    this.#partial = parts.pop() ?? '';
    // A line that never ends (a progress bar without newlines) is cut rather than kept growing.
    if (this.#partial.length > logLineCharsMax) {
      parts.push(this.#partial);
      this.#partial = '';
    }
    return parts;
  }

  /** The unfinished last line, when the log ends without a newline. */
  flush(): string[] {
    const rest = this.#partial + this.#decoder.decode();
    this.#partial = '';
    return rest === '' ? [] : [rest];
  }
}

/** A raw log line as the REPL shows it: after carriage returns, colours kept, cut to the maximum. */
export function displayLine(raw: string): string {
  const line = afterCarriageReturn(raw);
  const cut = line.length > logLineCharsMax ? line.slice(0, logLineCharsMax).replace(/\u001b[^m]*$/, '') : line;
  return keepColours(cut);
}
