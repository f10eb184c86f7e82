/**
 * The persistence-facing types of the Raft core, shared with the write-ahead log adapter
 * (src/wal) and the simulator (src/sim). The core itself (src/raft) is deterministic: no I/O,
 * no clock, no randomness of its own.
 */

export type NodeId = string;

export type EntryType = 'normal' | 'conf-change';

/** One log entry. `data` is opaque to Raft (a cluster command, or an encoded ConfChange). */
export interface Entry {
  term: number;
  index: number;
  type: EntryType;
  data: Uint8Array;
}

/** What must be durable before any message that depends on it is sent (§5.1, Figure 2). */
export interface HardState {
  term: number;
  vote: NodeId | null;
  commit: number;
}

export interface ConfState {
  voters: NodeId[];
  learners: NodeId[];
}

export interface SnapshotMeta {
  index: number;
  term: number;
  conf: ConfState;
}

export interface Snapshot {
  meta: SnapshotMeta;
  data: Uint8Array;
}

/** Injected randomness, so a seeded simulation replays exactly. Returns an integer in [0, n). */
export interface Random {
  int(n: number): number;
}
