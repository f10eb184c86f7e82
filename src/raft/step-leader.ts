/** How a leader handles each message kind. */
import { assert } from '../util/errors.js';
import { ignore, type HandlerTable } from './handlers.js';
import type { AppendResponse, HeartbeatResponse } from './message.js';
import type { Raft } from './raft.js';
import { readIndexAsLeader, releasePendingReadIndex, respondToRead } from './read-index.js';
import { bcastAppend, maybeCommit, maybeSendAppend, sendAppend, sendTimeoutNow } from './replication.js';
import { handleVote } from './step-common.js';

function handleAppendResponse(r: Raft, m: AppendResponse): void {
  const pr = r.tracker.progress.get(m.from);
  if (pr === undefined) return;
  pr.recentActive = true;
  if (m.reject) {
    // Fast backtracking: jump to where the follower's hint says our logs can match.
    const hint = m.logTerm > 0 ? r.log.findConflictByTerm(m.rejectHint, m.logTerm).index : m.rejectHint;
    if (pr.maybeDecrTo(m.index, hint)) {
      if (pr.state === 'replicate') pr.becomeProbe();
      sendAppend(r, m.from);
    }
    return;
  }
  const wasPaused = pr.isPaused();
  if (!pr.maybeUpdate(m.index)) return;
  if (pr.state === 'probe') {
    pr.becomeReplicate();
  } else if (pr.state === 'snapshot' && pr.match + 1 >= r.log.firstIndex()) {
    // The snapshot landed (or the follower caught up otherwise): stream from its match.
    pr.becomeProbe();
    pr.becomeReplicate();
  } else if (pr.state === 'replicate') {
    pr.inflights.freeLE(m.index);
  }
  if (maybeCommit(r)) {
    releasePendingReadIndex(r);
    bcastAppend(r);
  } else if (wasPaused) {
    sendAppend(r, m.from);
  }
  // Fill the window; bounded by the inflight limit and by what there is to send.
  while (maybeSendAppend(r, m.from, false)) {
    /* keep sending */
  }
  if (m.from === r.leadTransferee && pr.match === r.log.lastIndex()) sendTimeoutNow(r, m.from);
}

function handleHeartbeatResponse(r: Raft, m: HeartbeatResponse): void {
  const pr = r.tracker.progress.get(m.from);
  if (pr === undefined) return;
  pr.recentActive = true;
  pr.probeSent = false;
  // If every append in the window was lost (the follower restarted, the network dropped them),
  // nothing would ever free it: the heartbeat's answer frees one slot so an append goes out,
  // gets rejected, and sends the follower back to probing.
  if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne();
  if (pr.match < r.log.lastIndex() || pr.state === 'probe') sendAppend(r, m.from);
  if (m.context === null || m.context.length === 0) return;
  const acks = r.readOnly.recvAck(m.from, m.context);
  if (acks === undefined || r.tracker.voteResult(acks) !== 'won') return;
  for (const rs of r.readOnly.advance(m.context)) respondToRead(r, rs.request, rs.index);
}

export const leaderHandlers: HandlerTable = {
  'app-resp': handleAppendResponse,
  'heartbeat-resp': handleHeartbeatResponse,
  prop: (r, m) => {
    r.proposeAsLeader(m.entries);
  },
  'read-index': (r, m) => {
    readIndexAsLeader(r, { from: m.from, context: m.context });
  },
  'transfer-leader': (r, m) => {
    r.transferAsLeader(m.transferee);
  },
  vote: handleVote,
  'pre-vote': handleVote,
  // At most one leader per term (§5.2): another leader's traffic at our term is impossible.
  app: (r, m) => assert(false, `leader ${r.id} got an append from ${m.from} at its own term ${m.term}`),
  heartbeat: (r, m) => assert(false, `leader ${r.id} got a heartbeat from ${m.from} at its own term ${m.term}`),
  snap: (r, m) => assert(false, `leader ${r.id} got a snapshot from ${m.from} at its own term ${m.term}`),
  'timeout-now': ignore,
  'read-index-resp': ignore,
  'vote-resp': ignore,
  'pre-vote-resp': ignore,
};
