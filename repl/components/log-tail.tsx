import type { FollowView, LogLine } from '../../src/repl-client/index.js';
import { cell, narrowColumns } from '../format.js';
import type { Theme } from '../theme.js';
import { Rows, titleRow } from './rows.js';

/** Job id prefixes are cut to this many columns (fewer on a narrow terminal). */
const prefixCharsMax = 12;
const prefixCharsMaxNarrow = 6;

function followState(f: FollowView, theme: Theme): string {
  if (f.state === 'following') return theme.paint('good', f.live ? `${f.job} live` : `${f.job} reading`);
  if (f.state === 'resuming') return theme.paint('warn', `${f.job} resuming at #${f.next}`);
  if (f.state === 'failed') return theme.paint('bad', `${f.job} ${f.error ?? 'failed'}`);
  return theme.paint('muted', `${f.job} ended`);
}

/** The log tail as rows: the last `maxRows - 1` lines, each with its job's coloured prefix, the build's colours kept. */
export function logTailRows(lines: readonly LogLine[], follows: readonly FollowView[], theme: Theme, width: number, maxRows: number): string[] {
  const shown = lines.slice(Math.max(0, lines.length - (maxRows - 1)));
  const cap = width >= narrowColumns ? prefixCharsMax : prefixCharsMaxNarrow;
  const prefixWidth = Math.min(cap, Math.max(0, ...shown.map((l) => l.job.length)));
  const states = follows.map((f) => followState(f, theme)).join(theme.paint('dim', ' · '));
  const title = titleRow('log', Math.min(width, 8), (s) => theme.paint('dim', s));
  const rows = [`${title} ${states}`];
  for (const l of shown) rows.push(`${theme.job(l.job, cell(l.job, prefixWidth))} ${theme.paint('dim', '│')} ${theme.build(l.text)}`);
  return rows;
}

/** The tail of the followed logs, per-job prefixes, the build's colours kept. */
export function LogTail({ lines, follows, theme, width, maxRows }: { lines: readonly LogLine[]; follows: readonly FollowView[]; theme: Theme; width: number; maxRows: number }) {
  return <Rows rows={logTailRows(lines, follows, theme, width, maxRows)} width={width} />;
}
