/**
 * The Raft state machine (after etcd's raft.go): roles, terms, elections, the term rules
 * every message passes through (§5.1), and the local operations the application calls. Each
 * role's handling of each message kind lives in a handler table (step-leader.ts,
 * step-candidate.ts, step-follower.ts). Deterministic: time is tick(), randomness injected.
 */
import { assert } from '../util/errors.js';
import { confChangeProblem, decodeConfChange, type ConfChange } from './conf-change.js';
import type { RaftOptions } from './config.js';
import type { Message, MessageType } from './message.js';
import { RaftLog } from './raft-log.js';
import { ReadOnly, type ReadRequest } from './read-only.js';
import { releasePendingReadIndex } from './read-index.js';
import { bcastAppend, bcastHeartbeat, maybeCommit, sendAppend, sendTimeoutNow } from './replication.js';
import { candidateHandlers } from './step-candidate.js';
import { followerHandlers } from './step-follower.js';
import { leaderHandlers } from './step-leader.js';
import type { HandlerTable } from './handlers.js';
import { entryBytes } from './storage.js';
import { Tracker } from './tracker.js';
import type { Entry, EntryType, NodeId, Random } from './types.js';

export type Role = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

export type CampaignKind = 'pre-election' | 'election' | 'transfer';

/** A linearizable read is safe once the state machine has applied `index`. */
export interface ReadState {
  index: number;
  context: Uint8Array;
}

export type DropReason =
  | 'no-leader'
  | 'not-leader'
  | 'transferring'
  | 'not-member'
  | 'conf-change-pending'
  | 'invalid-conf-change'
  | 'learner-behind'
  | 'uncommitted-limit'
  | 'queue-full';

export type ProposeResult =
  | { kind: 'appended'; index: number; term: number }
  | { kind: 'forwarded'; to: NodeId }
  | { kind: 'dropped'; reason: DropReason };

export type RequestResult = { kind: 'accepted' } | { kind: 'forwarded'; to: NodeId } | { kind: 'dropped'; reason: DropReason };

const roleTables: Readonly<Record<Role, HandlerTable>> = {
  follower: followerHandlers,
  'pre-candidate': candidateHandlers,
  candidate: candidateHandlers,
  leader: leaderHandlers,
};

/** Kinds a node forwards on behalf of its application; they carry term 0 (no term rules). */
const localKinds: ReadonlySet<MessageType> = new Set(['prop', 'read-index', 'transfer-leader']);

export class Raft {
  readonly id: NodeId;
  term = 0;
  vote: NodeId | null = null;
  lead: NodeId | null = null;
  role: Role = 'follower';
  readonly log: RaftLog;
  readonly tracker: Tracker;
  readonly readOnly = new ReadOnly();
  msgs: Message[] = [];
  readStates: ReadState[] = [];
  electionElapsed = 0;
  heartbeatElapsed = 0;
  randomizedElectionTimeout = 0;
  leadTransferee: NodeId | null = null;
  /** Index of the latest conf change the leader appended; another waits until it is applied. */
  pendingConfIndex = 0;
  uncommittedBytes = 0;
  /** Reads that arrived before this leader committed an entry of its term. */
  pendingReadIndex: ReadRequest[] = [];

  constructor(readonly cfg: RaftOptions, private readonly random: Random) {
    this.id = cfg.id;
    this.log = new RaftLog(cfg.storage, cfg.applyBatchBytesMax);
    this.tracker = new Tracker(cfg.inflightAppendsMax, cfg.inflightBytesMax);
    const { hardState, confState } = cfg.storage.initialState();
    this.tracker.setConf(confState, this.log.lastIndex() + 1);
    if (hardState.term !== 0 || hardState.commit !== 0 || hardState.vote !== null) {
      // A crash between persisting a snapshot and the hard state of the same Ready leaves a
      // commit below the snapshot's index; the snapshot itself proves those entries committed.
      assert(hardState.commit <= this.log.lastIndex(), `hard state commit ${hardState.commit} beyond last index ${this.log.lastIndex()}: log truncated or lost`);
      this.log.committed = Math.max(this.log.committed, hardState.commit);
      this.term = hardState.term;
      this.vote = hardState.vote;
    }
    // The state machine restarts from the latest snapshot (which may be newer than the first
    // retained entry: compaction keeps a tail), unless the application says it is further on.
    const applied = Math.max(cfg.applied, cfg.storage.snapshot().meta.index);
    if (applied > this.log.applied) this.log.appliedTo(applied);
    this.becomeFollower(this.term, null);
  }

  send(m: Message): void {
    this.msgs.push(m);
  }

  /** A voter with no snapshot pending may campaign; learners and removed nodes never do. */
  promotable(): boolean {
    return this.tracker.isVoter(this.id) && !this.log.hasPendingSnapshot();
  }

  /** §6.2 of the dissertation: within an election timeout of hearing from a leader, ignore votes. */
  inLease(): boolean {
    return this.cfg.checkQuorum && this.lead !== null && this.electionElapsed < this.cfg.electionTimeoutTicks;
  }

  // ---- roles ---------------------------------------------------------------------------------

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = null;
    }
    this.lead = null;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.cfg.electionTimeoutTicks + this.random.int(this.cfg.electionTimeoutTicks);
    this.leadTransferee = null;
    this.tracker.resetVotes();
    const last = this.log.lastIndex();
    for (const [id, pr] of this.tracker.progress) {
      const fresh = this.tracker.newProgress(id, last + 1, pr.isLearner);
      if (id === this.id) fresh.match = last;
      this.tracker.progress.set(id, fresh);
    }
    this.pendingConfIndex = 0;
    this.uncommittedBytes = 0;
    this.readOnly.reset();
    this.pendingReadIndex = [];
  }

  becomeFollower(term: number, lead: NodeId | null): void {
    this.reset(term);
    this.lead = lead;
    this.role = 'follower';
  }

  becomePreCandidate(): void {
    assert(this.role !== 'leader', 'leader cannot become pre-candidate');
    // Pre-vote changes neither term nor vote, so a partitioned node does not inflate terms.
    this.tracker.resetVotes();
    this.lead = null;
    this.role = 'pre-candidate';
  }

  becomeCandidate(): void {
    assert(this.role !== 'leader', 'leader cannot become candidate');
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
  }

  becomeLeader(): void {
    assert(this.role === 'candidate', `${this.role} cannot become leader`);
    this.reset(this.term);
    this.lead = this.id;
    this.role = 'leader';
    this.tracker.progress.get(this.id)?.becomeReplicate();
    // No conf change until this term's first entry is applied (fixes the single-server
    // membership bug Ongaro described on raft-dev in 2015).
    this.pendingConfIndex = this.log.lastIndex();
    // §8: a no-op entry of the new term, so earlier entries commit (§5.4.2) and reads can go.
    const ok = this.appendEntries([{ type: 'normal', data: new Uint8Array(0) }]);
    assert(ok, 'the no-op entry must always be appended');
  }

  // ---- time ----------------------------------------------------------------------------------

  tick(): void {
    if (this.role === 'leader') this.tickHeartbeat();
    else this.tickElection();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.hup(this.cfg.preVote ? 'pre-election' : 'election');
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.cfg.electionTimeoutTicks) {
      this.electionElapsed = 0;
      if (this.cfg.checkQuorum && !this.checkQuorum()) return;
      // A transfer that did not finish within an election timeout is abandoned.
      if (this.leadTransferee !== null) this.leadTransferee = null;
    }
    if (this.heartbeatElapsed >= this.cfg.heartbeatIntervalTicks) {
      this.heartbeatElapsed = 0;
      bcastHeartbeat(this);
    }
  }

  /** Steps down unless a majority answered during the last election timeout. */
  private checkQuorum(): boolean {
    const ok = this.tracker.quorumActive(this.id);
    for (const [id, pr] of this.tracker.progress) if (id !== this.id) pr.recentActive = false;
    if (!ok) this.becomeFollower(this.term, null);
    return ok;
  }

  // ---- elections -----------------------------------------------------------------------------

  hup(kind: CampaignKind): void {
    if (this.role === 'leader' || !this.promotable()) return;
    // A committed but unapplied conf change could mean we count votes in a stale config.
    if (this.hasUnappliedConfChanges()) return;
    this.campaign(kind);
  }

  private hasUnappliedConfChanges(): boolean {
    if (this.log.committed <= this.log.applied) return false;
    const ents = this.log.slice(Math.max(this.log.applied + 1, this.log.firstIndex()), this.log.committed + 1) ?? [];
    return ents.some((e) => e.type === 'conf-change');
  }

  campaign(kind: CampaignKind): void {
    let term: number;
    if (kind === 'pre-election') {
      this.becomePreCandidate();
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      term = this.term;
    }
    if (this.poll(this.id, true) === 'won') {
      // A single-voter cluster wins at once.
      if (kind === 'pre-election') this.campaign('election');
      else this.becomeLeader();
      return;
    }
    const index = this.log.lastIndex();
    const logTerm = this.log.lastTerm();
    for (const to of this.tracker.voters) {
      if (to === this.id) continue;
      if (kind === 'pre-election') this.send({ type: 'pre-vote', from: this.id, to, term, index, logTerm });
      else this.send({ type: 'vote', from: this.id, to, term, index, logTerm, transfer: kind === 'transfer' });
    }
  }

  poll(from: NodeId, granted: boolean): 'won' | 'lost' | 'pending' {
    this.tracker.recordVote(from, granted);
    return this.tracker.voteResult();
  }

  // ---- the message path ----------------------------------------------------------------------

  step(m: Message): void {
    if (m.term === 0) {
      if (!localKinds.has(m.type)) return;
    } else if (m.term > this.term) {
      if (m.type === 'vote' || m.type === 'pre-vote') {
        const force = m.type === 'vote' && m.transfer;
        // Check-quorum's guard: a node that still hears from its leader ignores campaigns, so a
        // rejoining partitioned node cannot depose a healthy leader.
        if (!force && this.inLease()) return;
      }
      if (m.type === 'pre-vote') {
        // A pre-vote never changes our term.
      } else if (m.type === 'pre-vote-resp' && !m.reject) {
        // Granted pre-votes carry the future term; we move to it only when we win.
      } else if (m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap') {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, null);
      }
    } else if (m.term < this.term) {
      if ((this.cfg.checkQuorum || this.cfg.preVote) && (m.type === 'heartbeat' || m.type === 'app')) {
        // A stale leader (e.g. back from a partition) must learn our term and step down; with
        // pre-vote and check-quorum nothing else would ever tell it.
        this.send({ type: 'app-resp', from: this.id, to: m.from, term: this.term, index: 0, reject: false, rejectHint: 0, logTerm: 0 });
      } else if (m.type === 'pre-vote') {
        this.send({ type: 'pre-vote-resp', from: this.id, to: m.from, term: this.term, reject: true });
      }
      return;
    }
    const handler = roleTables[this.role][m.type] as (r: Raft, m: Message) => void;
    handler(this, m);
  }

  // ---- local operations ----------------------------------------------------------------------

  /** Appends entries as leader (assigning term and index); false if over the uncommitted limit. */
  appendEntries(ents: { type: EntryType; data: Uint8Array }[]): boolean {
    const last = this.log.lastIndex();
    const full: Entry[] = ents.map((e, i) => ({ term: this.term, index: last + 1 + i, type: e.type, data: e.data }));
    let bytes = 0;
    for (const e of full) bytes += entryBytes(e);
    if (this.uncommittedBytes > 0 && bytes > 0 && this.uncommittedBytes + bytes > this.cfg.uncommittedBytesMax) return false;
    this.uncommittedBytes += bytes;
    const li = this.log.append(full);
    this.tracker.progress.get(this.id)?.maybeUpdate(li);
    // A single-voter cluster commits on its own.
    maybeCommit(this);
    return true;
  }

  /**
   * Why the leader refuses a conf change now, or null: another is pending (one at a time keeps
   * consecutive majorities overlapping), it does not apply to the configuration, or it would
   * promote a learner that has not caught up (a voter that lags stalls commits: §4.2.1).
   */
  confChangeRejection(data: Uint8Array): DropReason | null {
    if (this.pendingConfIndex > this.log.applied) return 'conf-change-pending';
    let cc: ConfChange;
    try {
      cc = decodeConfChange(data);
    } catch {
      return 'invalid-conf-change';
    }
    if (confChangeProblem(this.tracker.confState(), cc) !== null) return 'invalid-conf-change';
    if (cc.type === 'promote-learner') {
      const match = this.tracker.progress.get(cc.node)?.match ?? 0;
      if (match + this.cfg.learnerPromotionLagEntriesMax < this.log.committed) return 'learner-behind';
    }
    return null;
  }

  /** The leader's half of a proposal (local or forwarded). */
  proposeAsLeader(ents: { type: EntryType; data: Uint8Array }[]): ProposeResult {
    if (!this.tracker.progress.has(this.id)) return { kind: 'dropped', reason: 'not-member' };
    if (this.leadTransferee !== null) return { kind: 'dropped', reason: 'transferring' };
    const last = this.log.lastIndex();
    const accepted = ents.map((e, i) => {
      if (e.type !== 'conf-change') return e;
      // A change we must refuse becomes an empty entry (keeps the batch's indexes intact).
      if (this.confChangeRejection(e.data) !== null) return { type: 'normal' as const, data: new Uint8Array(0) };
      this.pendingConfIndex = last + 1 + i;
      return e;
    });
    if (!this.appendEntries(accepted)) return { kind: 'dropped', reason: 'uncommitted-limit' };
    bcastAppend(this);
    return { kind: 'appended', index: this.log.lastIndex(), term: this.term };
  }

  /** Leadership transfer (dissertation §3.10): catch the transferee up, then TimeoutNow. */
  transferAsLeader(transferee: NodeId): RequestResult {
    const pr = this.tracker.progress.get(transferee);
    if (pr === undefined || pr.isLearner) return { kind: 'dropped', reason: 'not-member' };
    if (transferee === this.id) return { kind: 'accepted' };
    if (this.leadTransferee === transferee) return { kind: 'accepted' };
    // The transfer must complete within an election timeout; the clock starts now.
    this.electionElapsed = 0;
    this.leadTransferee = transferee;
    if (pr.match === this.log.lastIndex()) sendTimeoutNow(this, transferee);
    else sendAppend(this, transferee);
    return { kind: 'accepted' };
  }

  /** The transport lost its connection to `peer` (or a send to it failed). */
  peerUnreachable(peer: NodeId, disconnected: boolean): void {
    if (this.role === 'leader') {
      const pr = this.tracker.progress.get(peer);
      // Appends in flight were likely lost: fall back to probing.
      if (pr !== undefined && pr.state === 'replicate') pr.becomeProbe();
      return;
    }
    if (!disconnected || this.role !== 'follower' || this.lead !== peer || !this.cfg.preVote) return;
    // Our leader's connection dropped, which is what a crash looks like. Forget the leader (so
    // our lease no longer rejects pre-votes) and pre-vote after a short randomized delay.
    // Safety is unchanged: the pre-vote and the vote still need a majority.
    this.lead = null;
    const delay = 1 + this.random.int(this.cfg.leaderLostDelayTicksMax);
    this.electionElapsed = Math.max(this.electionElapsed, this.randomizedElectionTimeout - delay);
  }

  reportSnapshot(peer: NodeId, ok: boolean): void {
    if (this.role !== 'leader') return;
    const pr = this.tracker.progress.get(peer);
    if (pr === undefined || pr.state !== 'snapshot') return;
    if (!ok) pr.pendingSnapshot = 0;
    pr.becomeProbe();
    // Wait for a heartbeat response before probing again (the follower may still be busy).
    pr.probeSent = true;
  }
}
