/**
 * Terminal escape handling for build output shown inside the REPL. A build's colours (SGR,
 * `ESC [ … m`) are kept; everything else that could move the cursor or clear the screen is
 * dropped, because it would tear the REPL's own layout apart.
 */

// Built with RegExp() so the control characters stay readable in the source.
const ESC = '\u001b';
const csi = new RegExp(`${ESC}\\[[0-?]*[ -/]*[@-~]`, 'g');
const osc = new RegExp(`${ESC}\\][^\u0007${ESC}]*(?:\u0007|${ESC}\\\\)`, 'g');
const otherEsc = new RegExp(`${ESC}[@-Z\\\\-_]`, 'g');
const isSgr = new RegExp(`^${ESC}\\[[0-9;:]*m$`);
// C0 controls except tab; ESC is handled above.
const controls = /[\u0000-\u0008\u000b-\u001a\u001c-\u001f\u007f]/g;

/** Removes every escape sequence and control character: plain text. */
export function stripAnsi(s: string): string {
  return s.replace(osc, '').replace(csi, '').replace(otherEsc, '').replace(controls, '');
}

/** Keeps colours (SGR) and removes every other escape and control; adds a reset when colours were used. */
export function keepColours(s: string): string {
  const withoutOsc = s.replace(osc, '');
  const kept = withoutOsc.replace(csi, (m) => (isSgr.test(m) ? m : ''));
  const clean = kept.replace(otherEsc, '').replace(controls, '');
  return clean.includes(`${ESC}[`) ? `${clean}${ESC}[0m` : clean;
}

/** A line as a terminal would show it after carriage returns: the text after the last `\r`. */
export function afterCarriageReturn(line: string): string {
  const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
  const cr = trimmed.lastIndexOf('\r');
  return cr < 0 ? trimmed : trimmed.slice(cr + 1);
}
