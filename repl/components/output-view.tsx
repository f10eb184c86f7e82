import type { HistoryRow, JobStatus, NodeInfo, OutputBlock } from '../../src/repl-client/index.js';
import { cell, columnWidths, formatClock, formatDuration, narrowColumns, stateIcons, stateTone } from '../format.js';
import type { Theme } from '../theme.js';
import { jobTableRows } from './job-table.js';
import { Rows } from './rows.js';

/** Column caps of the small tables commands print; the last column takes the rest. */
const cellCharsMax = 20;

/** URLs are read whole, so their column may be wider. */
const urlCharsMax = 40;

function table(head: string[], body: string[][], theme: Theme): string[] {
  const widths = columnWidths([head, ...body], head.map((h, i) => (i === head.length - 1 ? 200 : h === 'API' ? urlCharsMax : cellCharsMax)));
  const line = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : cell(c, widths[i]!))).join('  ').trimEnd();
  return [theme.paint('dim', line(head)), ...body.map(line)];
}

function nodeRows(nodes: readonly NodeInfo[], leader: string | null, theme: Theme, wide: boolean): string[] {
  const body = nodes.map((n) => {
    const base = [n.name, n.name === leader ? 'leader' : n.role, n.state, n.state === 'up' ? `${n.running}/${n.slots}` : '-'];
    return wide ? [...base, n.api ?? '-', n.labels.join(',')] : [...base, n.labels.join(',')];
  });
  const rows = table(wide ? ['NODE', 'ROLE', 'STATE', 'LOAD', 'API', 'LABELS'] : ['NODE', 'ROLE', 'STATE', 'LOAD', 'LABELS'], body, theme);
  return rows.map((r, i) => (i > 0 && nodes[i - 1]!.state === 'down' ? theme.paint('bad', r) : r));
}

function statusRows(s: JobStatus, theme: Theme, wide: boolean): string[] {
  const rows = [
    `${theme.job(s.id, s.id)}  ${theme.paint('bold', s.name)}${s.pipeline ? theme.paint('muted', `  (${s.pipeline})`) : ''}`,
    `state   ${theme.tone(stateTone(s.state), `${stateIcons[s.state] ?? '·'} ${s.state}`)}`,
    `node    ${s.node ?? '-'}`,
    `labels  ${s.labels.join(',') || '-'}`,
  ];
  if (s.reason !== null) rows.push(`why     ${s.reason}`);
  if (s.jobs.length > 1) rows.push(`jobs    ${s.jobs.map((j) => `${j.id} ${j.state}`).join(', ')}`);
  if (s.attempts.length > 0) {
    const t = (ms: number | null): string => (ms === null ? '-' : formatClock(ms));
    const took = (a: JobStatus['attempts'][number]): string => (a.startedAt !== null && a.finishedAt !== null ? formatDuration(a.finishedAt - a.startedAt) : '-');
    const body = s.attempts.map((a) => {
      const base = [String(a.n), a.node, a.state, a.exitCode === null ? '-' : String(a.exitCode)];
      return wide ? [...base, t(a.startedAt), took(a), a.reason ?? ''] : [...base, a.reason ?? ''];
    });
    rows.push(...table(wide ? ['#', 'NODE', 'STATE', 'EXIT', 'STARTED', 'TOOK', 'REASON'] : ['#', 'NODE', 'STATE', 'EXIT', 'REASON'], body, theme));
  }
  return rows;
}

function historyRows(rows: readonly HistoryRow[], theme: Theme, wide: boolean): string[] {
  if (rows.length === 0) return [theme.paint('muted', 'no finished jobs yet')];
  const body = rows.map((r) => {
    const base = [r.job, r.name, r.state, r.node];
    return wide ? [...base, r.pipeline, String(r.attempt), r.finishedAt === null ? '-' : formatClock(r.finishedAt)] : base;
  });
  return table(wide ? ['JOB', 'NAME', 'RESULT', 'NODE', 'PIPELINE', '#', 'FINISHED'] : ['JOB', 'NAME', 'RESULT', 'NODE'], body, theme);
}

/** A command's answer as rows: the command echoed, then its body. Also what the plain (non-TTY) mode prints. */
export function outputRows(block: OutputBlock, theme: Theme, width: number): string[] {
  const wide = width >= narrowColumns;
  const echo = theme.paint('dim', `› ${block.command.trim()}`);
  switch (block.kind) {
    case 'text':
      return [echo, ...block.lines.map((l) => (block.tone === 'info' ? l : theme.tone(block.tone, l)))];
    case 'error':
      return [echo, theme.paint('bad', `✗ ${block.message}`) + theme.paint('muted', ` [${block.code}]`)];
    case 'help': {
      const w = Math.max(...block.entries.map((e) => e.usage.length));
      return [echo, ...block.entries.map((e) => `${theme.paint('bold', e.usage.padEnd(w))}  ${e.text}`), theme.paint('muted', 'keys: ↑/↓ history · Tab complete · Ctrl-U clear line · Ctrl-L clear output · Ctrl-D quit')];
    }
    case 'nodes':
      return [echo, ...nodeRows(block.nodes, block.leader, theme, wide)];
    case 'jobs':
      return [echo, ...(block.jobs.length === 0 ? [theme.paint('muted', 'no jobs')] : jobTableRows(block.jobs, theme, width, block.jobs.length))];
    case 'status':
      return [echo, ...statusRows(block.status, theme, wide)];
    case 'history':
      return [echo, ...historyRows(block.rows, theme, wide)];
  }
}

/** The last command's answer, cut to `maxRows` with a count of what did not fit. */
export function OutputView({ block, theme, width, maxRows }: { block: OutputBlock; theme: Theme; width: number; maxRows: number }) {
  const all = outputRows(block, theme, width);
  const rows = all.length <= maxRows ? all : [...all.slice(0, Math.max(0, maxRows - 1)), theme.paint('muted', `… ${all.length - maxRows + 1} more lines (a taller terminal shows more)`)];
  return <Rows rows={rows} width={width} />;
}
