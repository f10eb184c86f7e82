/**
 * Handlers shared by several roles: granting votes (§5.2, §5.4.1) and the receiving side of
 * AppendEntries, heartbeats and InstallSnapshot.
 */
import type { AppendMessage, HeartbeatMessage, PreVoteRequest, SnapshotMessage, VoteRequest } from './message.js';
import { restoreSnapshot } from './membership.js';
import type { Raft } from './raft.js';

/** RequestVote / pre-vote at our term or later (term rules already applied by Raft.step). */
export function handleVote(r: Raft, m: VoteRequest | PreVoteRequest): void {
  const respType = m.type === 'vote' ? 'vote-resp' : 'pre-vote-resp';
  // We can vote for whom we already voted for (a repeat), or if we have not voted and know of
  // no leader this term, or for a pre-vote of a future term.
  const canVote = r.vote === m.from || (r.vote === null && r.lead === null) || (m.type === 'pre-vote' && m.term > r.term);
  if (canVote && r.log.isUpToDate(m.index, m.logTerm)) {
    r.send({ type: respType, from: r.id, to: m.from, term: m.term, reject: false });
    if (m.type === 'vote') {
      // Only real votes are recorded (and made durable by the next Ready's hard state).
      r.electionElapsed = 0;
      r.vote = m.from;
    } else if (r.role === 'pre-candidate' && m.from < r.id) {
      // Two pre-candidates that granted each other would both become candidates at the same
      // term and split the vote, costing a whole election timeout. The larger id steps back.
      // Pre-vote changes no durable state, so this only affects who wins, never safety.
      r.becomeFollower(r.term, null);
    }
  } else {
    r.send({ type: respType, from: r.id, to: m.from, term: r.term, reject: true });
  }
}

export function handleAppendEntries(r: Raft, m: AppendMessage): void {
  if (m.index < r.log.committed) {
    // Everything up to our commit index matches by the Log Matching Property.
    r.send({ type: 'app-resp', from: r.id, to: m.from, term: r.term, index: r.log.committed, reject: false, rejectHint: 0, logTerm: 0 });
    return;
  }
  const last = r.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
  if (last !== undefined) {
    r.send({ type: 'app-resp', from: r.id, to: m.from, term: r.term, index: last, reject: false, rejectHint: 0, logTerm: 0 });
    return;
  }
  // Fast backtracking: point the leader at our last entry whose term is ≤ the probed term.
  const hint = r.log.findConflictByTerm(Math.min(m.index, r.log.lastIndex()), m.logTerm);
  r.send({ type: 'app-resp', from: r.id, to: m.from, term: r.term, index: m.index, reject: true, rejectHint: hint.index, logTerm: hint.term });
}

export function handleHeartbeat(r: Raft, m: HeartbeatMessage): void {
  r.log.commitTo(m.commit);
  r.send({ type: 'heartbeat-resp', from: r.id, to: m.from, term: r.term, context: m.context });
}

export function handleSnapshot(r: Raft, m: SnapshotMessage): void {
  const index = restoreSnapshot(r, m.snapshot) ? r.log.lastIndex() : r.log.committed;
  r.send({ type: 'app-resp', from: r.id, to: m.from, term: r.term, index, reject: false, rejectHint: 0, logTerm: 0 });
}
