/** Text helpers shared by the components: pure, no terminal. */

/** Braille spinner frames; one frame per tick of the view's clock. */
export const spinnerFrames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const;
/** The clock advances in these steps (see spinnerIntervalMs in the client layer). */
const spinnerFrameMs = 250;

/** The spinner frame for the view's clock. */
export function spinnerFrame(now: number): string {
  return spinnerFrames[Math.floor(now / spinnerFrameMs) % spinnerFrames.length]!;
}

/** 0.4s, 12.3s, 2m05s, 1h02m. */
export function formatDuration(ms: number): string {
  if (ms < 0) ms = 0;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** HH:MM:SS in local time. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** Cuts plain text to `width` columns with an ellipsis. */
export function fit(s: string, width: number): string {
  if (width <= 0) return '';
  return s.length <= width ? s : width === 1 ? '…' : `${s.slice(0, width - 1)}…`;
}

/** Pads or cuts plain text to exactly `width` columns. */
export function cell(s: string, width: number): string {
  return fit(s, width).padEnd(width);
}

/** Column widths for a table: each column as wide as its widest cell, up to its cap. */
export function columnWidths(rows: string[][], caps: number[]): number[] {
  return caps.map((cap, i) => Math.min(cap, Math.max(0, ...rows.map((r) => (r[i] ?? '').length))));
}

/** Status icons for jobs and steps. */
export const stateIcons: Record<string, string> = {
  queued: '◌',
  placed: '◔',
  running: '●',
  succeeded: '✓',
  success: '✓',
  failed: '✗',
  failure: '✗',
  cancelled: '⊘',
  lost: '?',
  skipped: '○',
};

/** The tone of a job or step state. */
export function stateTone(state: string): 'info' | 'good' | 'warn' | 'bad' {
  if (state === 'succeeded' || state === 'success') return 'good';
  if (state === 'failed' || state === 'failure' || state === 'lost') return 'bad';
  if (state === 'cancelled' || state === 'queued' || state === 'placed' || state === 'skipped') return 'warn';
  return 'info';
}

/** Below this many columns the views stack and drop secondary columns. */
export const narrowColumns = 80;
