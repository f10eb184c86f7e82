/** How a follower handles each message kind. */
import { ignore, type HandlerTable } from './handlers.js';
import type { Message } from './message.js';
import type { Raft } from './raft.js';
import { handleAppendEntries, handleHeartbeat, handleSnapshot, handleVote } from './step-common.js';

/** Hears from the leader of this term: remember it and restart the election clock. */
function fromLeader(r: Raft, m: Message): void {
  r.electionElapsed = 0;
  r.lead = m.from;
}

/** Sends a local request on to the leader, if we know one. */
function forward<M extends Message>(r: Raft, m: M): void {
  if (r.lead === null) return;
  r.send({ ...m, from: r.id, to: r.lead, term: 0 });
}

export const followerHandlers: HandlerTable = {
  app: (r, m) => {
    fromLeader(r, m);
    handleAppendEntries(r, m);
  },
  heartbeat: (r, m) => {
    fromLeader(r, m);
    handleHeartbeat(r, m);
  },
  snap: (r, m) => {
    fromLeader(r, m);
    handleSnapshot(r, m);
  },
  vote: handleVote,
  'pre-vote': handleVote,
  // Leadership transfer skips pre-vote: the leader asked, so there is no partition to fear.
  'timeout-now': (r) => r.hup('transfer'),
  prop: forward,
  'read-index': forward,
  'transfer-leader': forward,
  'read-index-resp': (r, m) => {
    r.readStates.push({ index: m.index, context: m.context });
  },
  'app-resp': ignore,
  'heartbeat-resp': ignore,
  'vote-resp': ignore,
  'pre-vote-resp': ignore,
};
