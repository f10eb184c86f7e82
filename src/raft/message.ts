/**
 * The messages Raft nodes exchange (and the few the application hands to its own node, such
 * as a forwarded proposal). A discriminated union on `type`, so each role's handler table
 * (step-*.ts) must name every kind: the compiler rejects an unhandled one.
 */
import type { Entry, NodeId, Snapshot } from './types.js';

interface MessageBase {
  from: NodeId;
  to: NodeId;
  /** Sender's term; every message carries it (§5.1: a higher term always wins). */
  term: number;
}

/** AppendEntries (§5.3): entries after (index, logTerm), and the leader's commit index. */
export interface AppendMessage extends MessageBase {
  type: 'app';
  index: number;
  logTerm: number;
  commit: number;
  entries: Entry[];
}

/**
 * AppendEntries reply. Accepted: `index` is the follower's last matching index. Rejected:
 * `index` echoes the probed index and (`rejectHint`, `logTerm`) is the follower's last entry
 * whose term is ≤ the probed term, so the leader skips a whole term per round trip.
 */
export interface AppendResponse extends MessageBase {
  type: 'app-resp';
  index: number;
  reject: boolean;
  rejectHint: number;
  logTerm: number;
}

/** RequestVote (§5.2); `transfer` marks an election started by TimeoutNow (bypasses leases). */
export interface VoteRequest extends MessageBase {
  type: 'vote';
  index: number;
  logTerm: number;
  transfer: boolean;
}

/** Pre-vote (dissertation §9.6): would you vote for me at `term`? Changes no one's term. */
export interface PreVoteRequest extends MessageBase {
  type: 'pre-vote';
  index: number;
  logTerm: number;
}

export interface VoteResponse extends MessageBase {
  type: 'vote-resp';
  reject: boolean;
}

export interface PreVoteResponse extends MessageBase {
  type: 'pre-vote-resp';
  reject: boolean;
}

/** Heartbeat: commit is min(follower match, leader commit); context tags a read-index round. */
export interface HeartbeatMessage extends MessageBase {
  type: 'heartbeat';
  commit: number;
  context: Uint8Array | null;
}

export interface HeartbeatResponse extends MessageBase {
  type: 'heartbeat-resp';
  context: Uint8Array | null;
}

/** InstallSnapshot (§7). */
export interface SnapshotMessage extends MessageBase {
  type: 'snap';
  snapshot: Snapshot;
}

/** Leadership transfer (dissertation §3.10): campaign now, the leader hands over to you. */
export interface TimeoutNowMessage extends MessageBase {
  type: 'timeout-now';
}

/** A proposal a follower forwards to its leader. */
export interface ProposeMessage extends MessageBase {
  type: 'prop';
  entries: Entry[];
}

/** A follower asks its leader to transfer leadership to `transferee`. */
export interface TransferLeaderMessage extends MessageBase {
  type: 'transfer-leader';
  transferee: NodeId;
}

/** A follower forwards a linearizable read to its leader (dissertation §6.4). */
export interface ReadIndexRequest extends MessageBase {
  type: 'read-index';
  context: Uint8Array;
}

/** The leader's commit index at the time of the read, confirmed by a heartbeat quorum. */
export interface ReadIndexResponse extends MessageBase {
  type: 'read-index-resp';
  index: number;
  context: Uint8Array;
}

export type Message =
  | AppendMessage
  | AppendResponse
  | VoteRequest
  | PreVoteRequest
  | VoteResponse
  | PreVoteResponse
  | HeartbeatMessage
  | HeartbeatResponse
  | SnapshotMessage
  | TimeoutNowMessage
  | ProposeMessage
  | TransferLeaderMessage
  | ReadIndexRequest
  | ReadIndexResponse;

export type MessageType = Message['type'];

export type MessageOf<T extends MessageType> = Extract<Message, { type: T }>;

/** Every message kind, in wire-code order (index + 1 is the code). Append only. */
export const messageTypes = [
  'app',
  'app-resp',
  'vote',
  'pre-vote',
  'vote-resp',
  'pre-vote-resp',
  'heartbeat',
  'heartbeat-resp',
  'snap',
  'timeout-now',
  'prop',
  'transfer-leader',
  'read-index',
  'read-index-resp',
] as const satisfies readonly MessageType[];

/** Compile-time check that `messageTypes` lists every kind. */
type Missing = Exclude<MessageType, (typeof messageTypes)[number]>;
const allListed: Missing extends never ? true : false = true;
void allListed;
