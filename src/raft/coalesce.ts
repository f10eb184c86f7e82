/**
 * Appends to one follower that pile up between two Readys become one. A busy leader sends an
 * append for each proposal and another for each commit advance (the commit index rides on an
 * append), and while its Ready is being persisted several queue for the same follower: with a
 * steady stream of small proposals a Ready held two to three appends per follower, each
 * encoded, sent, stepped and answered alone (bench/cluster.bench.ts part b). Merged, the
 * follower does in one step what it would have done in two: the same entries after the same
 * point, and the later (higher) commit index, which it bounds by what it holds either way.
 */
import type { AppendMessage, Message } from './message.js';
import { entryBytes } from './storage.js';
import type { NodeId } from './types.js';

/** Merges each append into the one before it to the same peer when that was the last message to it and this one continues it. */
export function coalesceAppends(msgs: Message[], bytesMax: number): Message[] {
  if (msgs.length < 2) return msgs;
  const out: Message[] = [];
  /** Per peer: where its last message is in `out`. */
  const lastTo = new Map<NodeId, number>();
  for (const m of msgs) {
    const at = lastTo.get(m.to);
    const prev = at === undefined ? undefined : out[at];
    if (m.type === 'app' && prev?.type === 'app' && continues(prev, m) && bytesOf(prev) + bytesOf(m) <= bytesMax) {
      out[at!] = { ...prev, commit: Math.max(prev.commit, m.commit), entries: prev.entries.concat(m.entries) };
      continue;
    }
    lastTo.set(m.to, out.length);
    out.push(m);
  }
  return out;
}

/** `next` starts right after `prev`'s last entry, of the same leader term. */
function continues(prev: AppendMessage, next: AppendMessage): boolean {
  const last = prev.entries.at(-1);
  return next.term === prev.term && next.index === prev.index + prev.entries.length && next.logTerm === (last?.term ?? prev.logTerm);
}

function bytesOf(m: AppendMessage): number {
  let n = 0;
  for (const e of m.entries) n += entryBytes(e);
  return n;
}
