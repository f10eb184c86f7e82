import type { JobRow } from '../../src/repl-client/index.js';
import { cell, columnWidths, narrowColumns, stateIcons, stateTone } from '../format.js';
import type { Theme } from '../theme.js';
import { Rows, titleRow } from './rows.js';

/** Column caps (ID, NAME, STATE, NODE, ATTEMPT): the WHY/LABELS column takes the rest. */
const capsWide = [12, 24, 11, 12, 3];
const capsNarrow = [8, 14, 11, 8];

/** A job table as rows: a header, then jobs (the newest `maxJobs`, newest last). */
export function jobTableRows(jobs: readonly JobRow[], theme: Theme, width: number, maxJobs: number): string[] {
  const wide = width >= narrowColumns;
  const shown = maxJobs <= 0 ? [] : jobs.slice(Math.max(0, jobs.length - maxJobs));
  const caps = wide ? capsWide : capsNarrow;
  const head = wide ? ['JOB', 'NAME', 'STATE', 'NODE', '#'] : ['JOB', 'NAME', 'STATE', 'NODE'];
  const cells = shown.map((j) => {
    const base = [j.id, j.name, `${stateIcons[j.state] ?? '·'} ${j.state}`, j.node ?? '-'];
    return wide ? [...base, String(j.attempt)] : base;
  });
  const widths = columnWidths([head, ...cells], caps);
  const line = (c: string[], why: string, style: (i: number, s: string) => string): string =>
    c.map((v, i) => style(i, cell(v, widths[i]!))).join(' ') + (why === '' ? '' : ` ${why}`);
  const rows = [line(head, wide ? 'WHY / LABELS' : '', (_, s) => theme.paint('dim', s))];
  shown.forEach((j, k) => {
    const why = j.reason ?? (wide ? j.labels.join(',') : '');
    rows.push(line(cells[k]!, theme.paint('muted', why), (i, s) => (i === 0 ? theme.job(j.id, s) : i === 2 ? theme.tone(stateTone(j.state), s) : s)));
  });
  return rows;
}

/** The job table, the newest jobs that fit. */
export function JobTable({ jobs, theme, width, maxRows }: { jobs: readonly JobRow[]; theme: Theme; width: number; maxRows: number }) {
  const more = Math.max(0, jobs.length - (maxRows - 2));
  const title = `jobs (${jobs.length}${more > 0 ? `, ${more} older not shown` : ''})`;
  return <Rows rows={[titleRow(title, width, (s) => theme.paint('dim', s)), ...jobTableRows(jobs, theme, width, maxRows - 2)]} width={width} />;
}
