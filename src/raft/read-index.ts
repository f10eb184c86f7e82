/**
 * The leader's side of linearizable reads (dissertation §6.4): record the commit index, confirm
 * leadership with a heartbeat round acknowledged by a majority, then answer with that index.
 */
import type { Raft, RequestResult } from './raft.js';
import type { ReadRequest } from './read-only.js';
import { bcastHeartbeat } from './replication.js';

export function readIndexAsLeader(r: Raft, req: ReadRequest): RequestResult {
  if (r.tracker.voters.length === 1 && r.tracker.isVoter(r.id)) {
    respondToRead(r, req, r.log.committed);
    return { kind: 'accepted' };
  }
  // Until an entry of our term commits we do not know the true commit index (§6.4 step 1).
  if (r.log.term(r.log.committed) !== r.term) {
    if (r.pendingReadIndex.length >= r.cfg.pendingReadIndexMax) return { kind: 'dropped', reason: 'queue-full' };
    r.pendingReadIndex.push(req);
    return { kind: 'accepted' };
  }
  if (r.readOnly.size() >= r.cfg.readIndexQueueMax) return { kind: 'dropped', reason: 'queue-full' };
  r.readOnly.addRequest(r.log.committed, req);
  r.readOnly.recvAck(r.id, req.context);
  bcastHeartbeat(r, req.context);
  return { kind: 'accepted' };
}

export function respondToRead(r: Raft, req: ReadRequest, index: number): void {
  if (req.from === r.id) r.readStates.push({ index, context: req.context });
  else r.send({ type: 'read-index-resp', from: r.id, to: req.from, term: r.term, index, context: req.context });
}

/** Serves the reads that waited for this leader's first commit. */
export function releasePendingReadIndex(r: Raft): void {
  if (r.pendingReadIndex.length === 0 || r.log.term(r.log.committed) !== r.term) return;
  const pending = r.pendingReadIndex;
  r.pendingReadIndex = [];
  for (const req of pending) readIndexAsLeader(r, req);
}
