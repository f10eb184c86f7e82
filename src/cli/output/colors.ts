/** ANSI styling that turns itself off: every helper returns the text unchanged when `on` is false. */
export interface Style {
  on: boolean;
  bold(s: string): string;
  dim(s: string): string;
  color(code: number, s: string): string;
  status(status: string, s?: string): string;
}

/** Job colours: bright, distinct on dark and light terminals (cyan, magenta, yellow, blue, green, and their dim twins). */
const jobPalette = [36, 35, 33, 34, 32, 96, 95, 93, 94, 92];

const statusColors: Record<string, number> = { success: 32, failure: 31, cancelled: 33, skipped: 90 };

export function createStyle(on: boolean): Style {
  const wrap = (code: string, s: string): string => (on ? `\u001b[${code}m${s}\u001b[0m` : s);
  return {
    on,
    bold: (s) => wrap('1', s),
    dim: (s) => wrap('2', s),
    color: (code, s) => wrap(String(code), s),
    status: (status, s = status) => wrap(String(statusColors[status] ?? 0), s),
  };
}

/** A job's colour, the same in every run: a hash of its key picks it. */
export function jobColor(key: string): number {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return jobPalette[(h >>> 0) % jobPalette.length]!;
}
