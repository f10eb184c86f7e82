import type { HeaderView, NodeInfo } from '../../src/repl-client/index.js';
import { narrowColumns } from '../format.js';
import type { Theme } from '../theme.js';
import { Rows } from './rows.js';

/** Lines the node chips may take before the rest is counted ("+3 more"). */
const nodeLinesMax = 3;

const connectionText: Record<HeaderView['connection'], [string, 'good' | 'info' | 'warn' | 'bad']> = {
  connecting: ['◌ connecting', 'info'],
  attached: ['● attached', 'good'],
  reattaching: ['⟳ reattaching', 'warn'],
  lost: ['✗ no member answers', 'bad'],
};

function hostOf(url: string): string {
  return url.replace(/^https?:\/\//, '');
}

function chip(n: NodeInfo, leader: string | null, labels: boolean, theme: Theme): { plain: number; text: string } {
  const up = n.state === 'up';
  const mark = up ? theme.paint('good', '●') : theme.paint('bad', '✗');
  const name = n.name === leader ? theme.paint('bold', `${n.name}★`) : n.name;
  const load = up ? `${n.running}/${n.slots}` : 'down';
  const tags = labels && n.labels.length > 0 ? ` ${n.labels.join(',')}` : '';
  const plain = `● ${n.name}${n.name === leader ? '★' : ''} ${load}${tags}`;
  return { plain: plain.length, text: `${mark} ${name} ${up ? load : theme.paint('bad', load)}${theme.paint('muted', tags)}` };
}

/** The header's lines: cluster, leader, term, attachment; nodes up and down with load and labels; the latest notice. */
export function headerRows(h: HeaderView, theme: Theme, width: number): string[] {
  const wide = width >= narrowColumns;
  const [connText, connTone] = connectionText[h.connection];
  const title = `${theme.paint('bold', 'cairn')}${h.cluster === null ? '' : ` ${theme.paint('bold', h.cluster)}`}`;
  const leader = `leader ${h.leader === null ? theme.paint('warn', 'none') : theme.paint('accent', h.leader)} · term ${h.term}`;
  const attachedTo = h.attachedName === null ? hostOf(h.attachedUrl) : wide ? `${h.attachedName} (${hostOf(h.attachedUrl)})` : h.attachedName;
  const attached = `attached to ${theme.paint('bold', attachedTo)} ${theme.tone(connTone, connText)}`;
  const rows = wide ? [`${title} │ ${leader} │ ${attached}`] : [`${title} · ${leader}`, attached];

  // Labels are shown when every node fits in the lines allowed with them; otherwise names and load only.
  const withLabels = nodeLines(h, theme, width, true);
  rows.push(...(withLabels.complete ? withLabels.lines : nodeLines(h, theme, width, false).lines));
  const notice = h.notices[h.notices.length - 1];
  if (notice !== undefined) rows.push(theme.tone(notice.tone, `⚑ ${notice.text}`));
  return rows;
}

/** The node chips packed into lines of `width`; `complete` is false when some did not fit. */
function nodeLines(h: HeaderView, theme: Theme, width: number, labels: boolean): { lines: string[]; complete: boolean } {
  if (h.nodes.length === 0) return { lines: [], complete: true };
  const up = h.nodes.filter((n) => n.state === 'up').length;
  const down = h.nodes.length - up;
  let line = `nodes ${up} up${down > 0 ? `, ${theme.paint('bad', `${down} down`)}` : ''}:`;
  let used = `nodes ${up} up${down > 0 ? `, ${down} down` : ''}:`.length;
  const lines: string[] = [];
  for (let i = 0; i < h.nodes.length; i++) {
    const c = chip(h.nodes[i]!, h.leader, labels, theme);
    if (used + 1 + c.plain > width) {
      if (lines.length + 1 >= nodeLinesMax) {
        lines.push(line + theme.paint('muted', ` +${h.nodes.length - i} more`));
        return { lines, complete: false };
      }
      lines.push(line);
      line = '';
      used = 0;
    }
    line += ` ${c.text}`;
    used += 1 + c.plain;
  }
  lines.push(line);
  return { lines, complete: true };
}

/** The header bar: cluster, leader, term, attachment, nodes, the latest notice. */
export function HeaderBar({ header, theme, width }: { header: HeaderView; theme: Theme; width: number }) {
  return <Rows rows={headerRows(header, theme, width)} width={width} />;
}
