/**
 * The leader's outbound traffic: appends with flow control, snapshots for followers that fell
 * behind the compacted log, heartbeats, and commit advancement by counting (§5.3, §5.4.2).
 */
import type { Progress } from './progress.js';
import type { Raft } from './raft.js';
import { entryBytes } from './storage.js';
import type { NodeId } from './types.js';

/**
 * Sends the next append to `to` unless its progress is paused. Returns whether a message went
 * out. With `sendIfEmpty` false an append without entries is not worth sending.
 */
export function maybeSendAppend(r: Raft, to: NodeId, sendIfEmpty: boolean): boolean {
  const pr = r.tracker.progress.get(to);
  if (pr === undefined || pr.isPaused()) return false;
  const prevIndex = pr.next - 1;
  const prevTerm = r.log.term(prevIndex);
  const ents = r.log.entriesFrom(pr.next, r.cfg.appendBytesMax);
  if (ents !== undefined && ents.length === 0 && !sendIfEmpty) return false;
  if (prevTerm === undefined || ents === undefined) return maybeSendSnapshot(r, to, pr);
  let bytes = 0;
  for (const e of ents) bytes += entryBytes(e);
  r.send({ type: 'app', from: r.id, to, term: r.term, index: prevIndex, logTerm: prevTerm, commit: r.log.committed, entries: ents });
  pr.sentEntries(ents.length, prevIndex + ents.length, bytes);
  return true;
}

export function sendAppend(r: Raft, to: NodeId): void {
  maybeSendAppend(r, to, true);
}

/** The follower needs entries we compacted: send our latest snapshot (§7). */
function maybeSendSnapshot(r: Raft, to: NodeId, pr: Progress): boolean {
  // A follower we have not heard from lately is likely down; a snapshot is too big to waste.
  if (!pr.recentActive) return false;
  const snapshot = r.log.snapshot();
  if (snapshot.meta.index === 0) return false;
  r.send({ type: 'snap', from: r.id, to, term: r.term, snapshot });
  pr.becomeSnapshot(snapshot.meta.index);
  return true;
}

/** Sends every peer the appends it is missing (empty ones too: they carry the commit index). */
export function bcastAppend(r: Raft): void {
  for (const id of r.tracker.progress.keys()) if (id !== r.id) sendAppend(r, id);
}

export function sendHeartbeat(r: Raft, to: NodeId, context: Uint8Array | null): void {
  const pr = r.tracker.progress.get(to);
  // Never tell a follower to commit past what it is known to hold: it may lack those entries.
  const commit = Math.min(pr?.match ?? 0, r.log.committed);
  r.send({ type: 'heartbeat', from: r.id, to, term: r.term, commit, context });
}

export function bcastHeartbeat(r: Raft, context: Uint8Array | null = r.readOnly.lastPendingContext()): void {
  for (const id of r.tracker.progress.keys()) if (id !== r.id) sendHeartbeat(r, id, context);
}

/** Advances commit to what a majority of voters hold, if that entry is of our term. */
export function maybeCommit(r: Raft): boolean {
  const mci = r.tracker.committed();
  const target = Number.isFinite(mci) ? mci : r.log.lastIndex();
  return r.log.maybeCommit(target, r.term);
}

export function sendTimeoutNow(r: Raft, to: NodeId): void {
  r.send({ type: 'timeout-now', from: r.id, to, term: r.term });
}
