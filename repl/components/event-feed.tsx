import type { ReplEvent } from '../../src/repl-client/index.js';
import { formatClock, narrowColumns } from '../format.js';
import type { Theme } from '../theme.js';
import { Rows, titleRow } from './rows.js';

/** The newest events as rows, newest last, each with its time. */
export function eventRows(events: readonly ReplEvent[], theme: Theme, width: number, maxRows: number): string[] {
  const shown = events.slice(Math.max(0, events.length - (maxRows - 1)));
  const rows = [titleRow('events', width, (s) => theme.paint('dim', s))];
  for (const e of shown) {
    const clock = width >= narrowColumns ? formatClock(e.at) : formatClock(e.at).slice(0, 5);
    rows.push(`${theme.paint('dim', clock)} ${theme.tone(e.tone, e.text)}`);
  }
  return rows;
}

/** The event feed: a node lost, a job retried, the leader changed, as they arrive. */
export function EventFeed({ events, theme, width, maxRows }: { events: readonly ReplEvent[]; theme: Theme; width: number; maxRows: number }) {
  return <Rows rows={eventRows(events, theme, width, maxRows)} width={width} />;
}
