/**
 * Plain-text hygiene for everything the bot says. Chat lines come from logs, job names and
 * error messages that users control, so control characters (CR/LF would start a new IRC
 * command; \x03 colours; ESC starts terminal sequences) never reach the network.
 */

// ANSI CSI/OSC sequences from build tools' coloured output, then any remaining control bytes.
// eslint-disable-next-line no-control-regex
const ansiRe = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;
// eslint-disable-next-line no-control-regex
const controlRe = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;

/** One line of safe text: no terminal sequences, no control characters, tabs as spaces. */
export function cleanLine(text: string): string {
  return text.replace(ansiRe, '').replace(/\t/g, '  ').replace(controlRe, '').trimEnd();
}

/** Splits on line breaks and cleans each line. A carriage return keeps what was drawn last. */
export function cleanLines(text: string): string[] {
  return text.split(/\r?\n/).map((raw) => {
    const l = raw.replace(/\r+$/, '');
    return cleanLine(l.slice(l.lastIndexOf('\r') + 1));
  });
}

const encoder = new TextEncoder();
const ellipsis = '…';

/** Cuts `text` to at most `bytesMax` UTF-8 bytes on a code point boundary, marking the cut. */
export function cutToBytes(text: string, bytesMax: number): string {
  if (encoder.encode(text).length <= bytesMax) return text;
  const room = bytesMax - encoder.encode(ellipsis).length;
  let bytes = 0;
  let out = '';
  for (const ch of text) {
    const n = encoder.encode(ch).length;
    if (bytes + n > room) break;
    bytes += n;
    out += ch;
  }
  return out + ellipsis;
}

/** Keeps at most `linesMax` lines; the last kept line then says how many were left out. */
export function clampLines(lines: readonly string[], linesMax: number): string[] {
  if (lines.length <= linesMax) return [...lines];
  const kept = lines.slice(0, Math.max(0, linesMax - 1));
  return [...kept, `… ${lines.length - kept.length} more line${lines.length - kept.length === 1 ? '' : 's'}`];
}

/** "3s", "4m 12s", "2h 5m": how long something took, for people. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

/** Joins items with ", " and cuts the list to `itemsMax` with "+N more". */
export function listSome(items: readonly string[], itemsMax: number): string {
  if (items.length <= itemsMax) return items.join(', ');
  return `${items.slice(0, itemsMax).join(', ')} +${items.length - itemsMax} more`;
}
