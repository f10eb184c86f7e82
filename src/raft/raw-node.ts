/**
 * The application's handle on a Raft node (etcd's RawNode). Inputs: `tick()`, `step()`, and
 * the local operations. Output: one `Ready` at a time, which the application handles in this
 * order, then acknowledges with `advance()`:
 *
 *   1. persist: `snapshot` (if any), then `entries`, then `hardState` — durably (fsync when
 *      `mustSync`). A hard state whose commit exceeds the durable log is invalid.
 *   2. send `messages` (only now: they may promise what step 1 made durable, e.g. a vote).
 *   3. apply: restore `snapshot` into the state machine, then apply `committedEntries` in
 *      order (they may include entries persisted in step 1); serve `readStates` once the
 *      applied index reaches each one's index.
 *   4. `advance()`.
 *
 * A crash anywhere in between is safe: what was not persisted was never promised to anyone.
 */
import { assert } from '../util/errors.js';
import { coalesceAppends } from './coalesce.js';
import { encodeConfChange, type ConfChange } from './conf-change.js';
import { resolveConfig, type RaftConfig } from './config.js';
import { applyConfChangeEntry } from './membership.js';
import type { Message } from './message.js';
import { readIndexAsLeader } from './read-index.js';
import { Raft, type ProposeResult, type ReadState, type RequestResult, type Role } from './raft.js';
import type { ProgressState } from './progress.js';
import type { ConfState, Entry, HardState, NodeId, Snapshot } from './types.js';

/** Volatile state worth showing: who leads, and our role. */
export interface SoftState {
  leader: NodeId | null;
  role: Role;
}

export interface Ready {
  /** Present when the leader or our role changed. */
  softState: SoftState | null;
  /** Present when term, vote or commit changed; persist after `entries`. */
  hardState: HardState | null;
  /** Entries to persist (they may replace a conflicting durable suffix). */
  entries: Entry[];
  /** A snapshot from the leader to persist and restore, replacing the log. */
  snapshot: Snapshot | null;
  /** Committed entries to apply, in order. */
  committedEntries: Entry[];
  /** Messages to send after persisting. */
  messages: Message[];
  /** Linearizable reads: serve each once the applied index reaches its index. */
  readStates: ReadState[];
  /** Whether step 1 must fsync (entries, term or vote changed; commit alone may be lazy). */
  mustSync: boolean;
}

export interface PeerProgress {
  match: number;
  next: number;
  state: ProgressState;
  recentActive: boolean;
  learner: boolean;
}

/** The cheap part of Status (no configuration, no progress), for polling on every event. */
export interface BasicStatus {
  id: NodeId;
  term: number;
  vote: NodeId | null;
  commit: number;
  applied: number;
  leader: NodeId | null;
  role: Role;
  lastIndex: number;
}

export interface Status {
  id: NodeId;
  term: number;
  vote: NodeId | null;
  commit: number;
  applied: number;
  leader: NodeId | null;
  role: Role;
  /** The configuration as of the applied index. */
  conf: ConfState;
  firstIndex: number;
  lastIndex: number;
  leadTransferee: NodeId | null;
  /** Per-peer replication progress; only a leader has it (empty otherwise). */
  progress: Map<NodeId, PeerProgress>;
}

export interface RaftNode {
  readonly id: NodeId;
  /** Advances logical time by one tick (elections, heartbeats, check-quorum). */
  tick(): void;
  /** Feeds a message received from a peer. Messages not addressed to us are ignored. */
  step(m: Message): void;
  /** Starts an election now (tests and tools; normally ticks do this). */
  campaign(): void;
  /** Proposes a command. A follower forwards it to its leader; see ProposeResult. */
  propose(data: Uint8Array): ProposeResult;
  /** Proposes a single-server membership change (one pending at a time). */
  proposeConfChange(cc: ConfChange): ProposeResult;
  /** Starts a linearizable read; its ReadState (same context) arrives in a later Ready. */
  readIndex(context: Uint8Array): RequestResult;
  /** Asks the leader to hand leadership to `to` (a voter). */
  transferLeadership(to: NodeId): RequestResult;
  /** A send to `peer` failed: the leader stops streaming to it optimistically. */
  reportUnreachable(peer: NodeId): void;
  /**
   * The connection to `peer` dropped. If `peer` is our leader we pre-vote after 1..3 ticks
   * instead of a whole election timeout (a leader that crashed drops every connection at
   * once). Report it after stepping every message received on that connection: a heartbeat
   * stepped after the report re-arms the leader and the fast path falls back to the timeout.
   * Safety never depends on it: a spurious report costs at most a rejected pre-vote.
   */
  peerDisconnected(peer: NodeId): void;
  /** The snapshot sent to `peer` was installed (ok) or failed to send. */
  reportSnapshot(peer: NodeId, ok: boolean): void;
  /** Takes the proposals to forward to the leader out of the next Ready, to send at once (they promise nothing). */
  takeForwardedProposals(): Message[];
  hasReady(): boolean;
  /** Takes the pending output; must be followed by advance() before the next ready(). */
  ready(): Ready;
  /** Acknowledges the last Ready: persisted, sent and applied. */
  advance(): void;
  status(): Status;
  basicStatus(): BasicStatus;
}

/** Creates a node from its durable state in `config.storage`. */
export function createRaft(config: RaftConfig): RaftNode {
  return new RawNode(config);
}

function softOf(r: Raft): SoftState {
  return { leader: r.lead, role: r.role };
}

function hardOf(r: Raft): HardState {
  return { term: r.term, vote: r.vote, commit: r.log.committed };
}

class RawNode implements RaftNode {
  readonly id: NodeId;
  private readonly r: Raft;
  private prevSoft: SoftState;
  private prevHard: HardState;
  private outstanding: Ready | null = null;

  constructor(config: RaftConfig) {
    const opts = resolveConfig(config);
    this.id = opts.id;
    this.r = new Raft(opts, config.random);
    this.prevSoft = softOf(this.r);
    this.prevHard = hardOf(this.r);
  }

  tick(): void {
    this.r.tick();
  }

  step(m: Message): void {
    if (m.to !== this.id || m.from === this.id) return;
    this.r.step(m);
  }

  campaign(): void {
    this.r.hup(this.r.cfg.preVote ? 'pre-election' : 'election');
  }

  propose(data: Uint8Array): ProposeResult {
    return this.proposeEntry({ type: 'normal', data });
  }

  proposeConfChange(cc: ConfChange): ProposeResult {
    return this.proposeEntry({ type: 'conf-change', data: encodeConfChange(cc) });
  }

  private proposeEntry(e: { type: Entry['type']; data: Uint8Array }): ProposeResult {
    const r = this.r;
    if (r.role === 'leader') {
      const rejection = e.type === 'conf-change' ? r.confChangeRejection(e.data) : null;
      if (rejection !== null) return { kind: 'dropped', reason: rejection };
      return r.proposeAsLeader([e]);
    }
    if (r.lead === null || r.role !== 'follower') return { kind: 'dropped', reason: 'no-leader' };
    r.send({ type: 'prop', from: r.id, to: r.lead, term: 0, entries: [{ term: 0, index: 0, type: e.type, data: e.data }] });
    return { kind: 'forwarded', to: r.lead };
  }

  readIndex(context: Uint8Array): RequestResult {
    const r = this.r;
    if (r.role === 'leader') return readIndexAsLeader(r, { from: r.id, context });
    if (r.lead === null || r.role !== 'follower') return { kind: 'dropped', reason: 'no-leader' };
    r.send({ type: 'read-index', from: r.id, to: r.lead, term: 0, context });
    return { kind: 'forwarded', to: r.lead };
  }

  transferLeadership(to: NodeId): RequestResult {
    const r = this.r;
    if (r.role === 'leader') return r.transferAsLeader(to);
    if (r.lead === null || r.role !== 'follower') return { kind: 'dropped', reason: 'no-leader' };
    r.send({ type: 'transfer-leader', from: r.id, to: r.lead, term: 0, transferee: to });
    return { kind: 'forwarded', to: r.lead };
  }

  reportUnreachable(peer: NodeId): void {
    this.r.peerUnreachable(peer, false);
  }

  peerDisconnected(peer: NodeId): void {
    this.r.peerUnreachable(peer, true);
  }

  reportSnapshot(peer: NodeId, ok: boolean): void {
    this.r.reportSnapshot(peer, ok);
  }

  /**
   * Takes the proposals this node forwards to its leader out of what the next Ready would send,
   * for the application to send now. A forwarded proposal promises nothing about this node's
   * disk (the leader appends it; this node holds nothing of it yet), so it need not wait behind
   * a Ready being persisted: the rule that messages go after persisting is for the ones that
   * do promise something (votes, append responses). Taken in order, so proposals still reach
   * the leader in the order they were made.
   */
  takeForwardedProposals(): Message[] {
    const r = this.r;
    if (!r.msgs.some((m) => m.type === 'prop')) return [];
    const props = r.msgs.filter((m) => m.type === 'prop');
    r.msgs = r.msgs.filter((m) => m.type !== 'prop');
    return props;
  }

  hasReady(): boolean {
    if (this.outstanding !== null) return false;
    const r = this.r;
    const soft = softOf(r);
    const hard = hardOf(r);
    return (
      soft.leader !== this.prevSoft.leader ||
      soft.role !== this.prevSoft.role ||
      !hardEqual(hard, this.prevHard) ||
      r.log.hasPendingSnapshot() ||
      r.msgs.length > 0 ||
      r.log.unstableEntries().length > 0 ||
      r.log.hasNextCommittedEntries() ||
      r.readStates.length > 0
    );
  }

  ready(): Ready {
    assert(this.outstanding === null, 'ready() called again before advance()');
    const r = this.r;
    const soft = softOf(r);
    const hard = hardOf(r);
    const softChanged = soft.leader !== this.prevSoft.leader || soft.role !== this.prevSoft.role;
    const hardChanged = !hardEqual(hard, this.prevHard);
    const entries = [...r.log.unstableEntries()];
    const rd: Ready = {
      softState: softChanged ? soft : null,
      hardState: hardChanged ? hard : null,
      entries,
      snapshot: r.log.unstable.snapshot,
      committedEntries: r.log.nextCommittedEntries(),
      messages: coalesceAppends(r.msgs, r.cfg.appendBytesMax),
      readStates: r.readStates,
      mustSync: entries.length > 0 || hard.term !== this.prevHard.term || hard.vote !== this.prevHard.vote,
    };
    r.msgs = [];
    r.readStates = [];
    this.prevSoft = soft;
    this.outstanding = rd;
    return rd;
  }

  advance(): void {
    const rd = this.outstanding;
    assert(rd !== null, 'advance() without a ready()');
    this.outstanding = null;
    const r = this.r;
    if (rd.hardState !== null) this.prevHard = rd.hardState;
    if (rd.snapshot !== null) r.log.stableSnapTo(rd.snapshot.meta.index);
    const last = rd.entries[rd.entries.length - 1];
    if (last !== undefined) r.log.stableTo(last.index, last.term);
    let applied = rd.snapshot?.meta.index ?? 0;
    let appliedBytes = 0;
    for (const e of rd.committedEntries) {
      // The application has applied these, so conf changes take effect now (etcd semantics).
      if (e.type === 'conf-change') applyConfChangeEntry(r, e.data);
      applied = e.index;
      appliedBytes += e.data.length;
    }
    if (applied > r.log.applied) r.log.appliedTo(applied);
    if (r.role === 'leader') r.uncommittedBytes = Math.max(0, r.uncommittedBytes - appliedBytes);
  }

  basicStatus(): BasicStatus {
    const r = this.r;
    return { id: r.id, term: r.term, vote: r.vote, commit: r.log.committed, applied: r.log.applied, leader: r.lead, role: r.role, lastIndex: r.log.lastIndex() };
  }

  status(): Status {
    const r = this.r;
    const progress = new Map<NodeId, PeerProgress>();
    if (r.role === 'leader') {
      for (const [id, pr] of r.tracker.progress) {
        progress.set(id, { match: pr.match, next: pr.next, state: pr.state, recentActive: pr.recentActive, learner: pr.isLearner });
      }
    }
    return {
      id: r.id,
      term: r.term,
      vote: r.vote,
      commit: r.log.committed,
      applied: r.log.applied,
      leader: r.lead,
      role: r.role,
      conf: r.tracker.confState(),
      firstIndex: r.log.firstIndex(),
      lastIndex: r.log.lastIndex(),
      leadTransferee: r.leadTransferee,
      progress,
    };
  }
}

function hardEqual(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}
