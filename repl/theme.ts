import { stripAnsi } from '../src/repl-client/index.js';
import type { Tone } from '../src/repl-client/index.js';

/** The REPL's colours, by meaning. */
export type Paint = 'bold' | 'dim' | 'good' | 'bad' | 'warn' | 'info' | 'accent' | 'muted' | 'inverse';

/**
 * Colour that turns itself off. The components colour text through this (plain ANSI SGR), not
 * through ink's colour props, so `NO_COLOR`, `--no-color` and a non-TTY give exactly plain text
 * whatever the terminal library detects.
 */
export interface Theme {
  readonly color: boolean;
  paint(p: Paint, s: string): string;
  tone(t: Tone, s: string): string;
  /** A job's prefix colour: the same job keeps its colour across the session. */
  job(id: string, s: string): string;
  /** A build's own output: its colours kept, or stripped when colour is off. */
  build(s: string): string;
}

const codes: Record<Paint, string> = { bold: '1', dim: '2', good: '32', bad: '31', warn: '33', info: '36', accent: '35', muted: '90', inverse: '7' };
const tones: Record<Tone, Paint> = { info: 'info', good: 'good', warn: 'warn', bad: 'bad' };
/** Distinct on dark and light backgrounds (cyan, magenta, yellow, blue, green, bright variants). */
const jobPalette = ['36', '35', '33', '34', '32', '96', '95', '93', '94', '92'];

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** A theme that colours when `color` is true and returns text unchanged otherwise. */
export function createTheme(color: boolean): Theme {
  const wrap = (code: string, s: string): string => (color && s !== '' ? `\u001b[${code}m${s}\u001b[0m` : s);
  return {
    color,
    paint: (p, s) => wrap(codes[p], s),
    tone: (t, s) => wrap(codes[tones[t]], s),
    job: (id, s) => wrap(jobPalette[hash(id) % jobPalette.length]!, s),
    build: (s) => (color ? s : stripAnsi(s)),
  };
}
