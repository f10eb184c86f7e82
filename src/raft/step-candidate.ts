/** How a candidate or pre-candidate handles each message kind. */
import { ignore, type HandlerTable } from './handlers.js';
import type { PreVoteResponse, VoteResponse } from './message.js';
import type { Raft } from './raft.js';
import { bcastAppend } from './replication.js';
import { handleAppendEntries, handleHeartbeat, handleSnapshot, handleVote } from './step-common.js';

function handleVoteResponse(r: Raft, m: VoteResponse | PreVoteResponse): void {
  // A pre-candidate counts pre-votes, a candidate votes; the other kind is a stale leftover.
  const wanted = r.role === 'pre-candidate' ? 'pre-vote-resp' : 'vote-resp';
  if (m.type !== wanted) return;
  switch (r.poll(m.from, !m.reject)) {
    case 'won':
      if (r.role === 'pre-candidate') {
        r.campaign('election');
      } else {
        r.becomeLeader();
        bcastAppend(r);
      }
      return;
    case 'lost':
      // A rejection with a higher term already made us a follower in Raft.step.
      r.becomeFollower(r.term, null);
      return;
    case 'pending':
      return;
  }
}

export const candidateHandlers: HandlerTable = {
  // A leader of our term exists (§5.2): give up and follow it.
  app: (r, m) => {
    r.becomeFollower(m.term, m.from);
    handleAppendEntries(r, m);
  },
  heartbeat: (r, m) => {
    r.becomeFollower(m.term, m.from);
    handleHeartbeat(r, m);
  },
  snap: (r, m) => {
    r.becomeFollower(m.term, m.from);
    handleSnapshot(r, m);
  },
  vote: handleVote,
  'pre-vote': handleVote,
  'vote-resp': handleVoteResponse,
  'pre-vote-resp': handleVoteResponse,
  // No leader to forward to: the application retries.
  prop: ignore,
  'read-index': ignore,
  'transfer-leader': ignore,
  'timeout-now': ignore,
  'read-index-resp': ignore,
  'app-resp': ignore,
  'heartbeat-resp': ignore,
};
