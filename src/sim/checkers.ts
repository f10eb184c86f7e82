/**
 * Safety checkers run as the simulation goes (every persisted entry, every apply, every new
 * leader and commit), after the Raft paper's Figure 3 properties: Election Safety, Log
 * Matching, Leader Completeness, State Machine Safety; plus: a node's durable commit index
 * never decreases, and each node applies a gap-free sequence. A violation throws.
 */
import type { Entry, HardState, NodeId, Snapshot } from '../raft/index.js';

export class SafetyViolation extends Error {
  constructor(readonly property: string, detail: string) {
    super(`${property}: ${detail}`);
    this.name = 'SafetyViolation';
  }
}

function bytesKey(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return s;
}

function entryKey(e: Entry): string {
  return `${e.term}/${e.type}/${bytesKey(e.data)}`;
}

/** A leader's log when it was elected: terms from `first` on. */
interface LeaderLog {
  node: NodeId;
  term: number;
  first: number;
  terms: number[];
}

export class Checkers {
  private readonly leaders = new Map<number, NodeId>();
  private readonly leaderLogs: LeaderLog[] = [];
  /** (index/term) → the entry and the term of the entry before it, as first seen. */
  private readonly seen = new Map<string, { key: string; prevTerm: number | undefined }>();
  /** index → the entry applied there (by anyone). */
  private readonly applied = new Map<number, string>();
  private readonly appliedTerm = new Map<number, number>();
  /** index → lowest term of a leader that declared it committed, and the entry's term. */
  private readonly committedIn = new Map<number, { leaderTerm: number; entryTerm: number }>();
  private readonly durableCommit = new Map<NodeId, number>();
  private readonly lastApplied = new Map<NodeId, number>();

  elections(): number {
    return this.leaders.size;
  }

  commits(): number {
    return this.applied.size;
  }

  /** Election Safety: at most one leader per term. Leader Completeness for committed entries. */
  onLeader(node: NodeId, term: number, first: number, termAt: (i: number) => number | undefined, last: number): void {
    const other = this.leaders.get(term);
    if (other !== undefined && other !== node) throw new SafetyViolation('election safety', `${other} and ${node} both leaders of term ${term}`);
    this.leaders.set(term, node);
    const terms: number[] = [];
    for (let i = first; i <= last; i++) terms.push(termAt(i) ?? -1);
    const log: LeaderLog = { node, term, first, terms };
    this.leaderLogs.push(log);
    for (const [index, c] of this.committedIn) this.checkCompleteness(log, index, c.leaderTerm, c.entryTerm);
  }

  private checkCompleteness(log: LeaderLog, index: number, leaderTerm: number, entryTerm: number): void {
    if (log.term <= leaderTerm || index < log.first) return;
    const t = log.terms[index - log.first];
    if (t !== entryTerm) {
      throw new SafetyViolation('leader completeness', `entry ${index} (term ${entryTerm}) committed in term ${leaderTerm} is ${t === undefined ? 'missing' : `term ${t}`} in the log of ${log.node}, leader of term ${log.term}`);
    }
  }

  /** A leader of `term` advanced its commit index to `commit`. */
  onLeaderCommit(term: number, from: number, commit: number, termAt: (i: number) => number | undefined): void {
    for (let i = Math.max(1, from + 1); i <= commit; i++) {
      const entryTerm = termAt(i);
      if (entryTerm === undefined) continue;
      const prev = this.committedIn.get(i);
      if (prev !== undefined) {
        if (prev.entryTerm !== entryTerm) throw new SafetyViolation('state machine safety', `index ${i} committed with term ${prev.entryTerm} and later term ${entryTerm}`);
        if (prev.leaderTerm <= term) continue;
      }
      this.committedIn.set(i, { leaderTerm: term, entryTerm });
      for (const log of this.leaderLogs) this.checkCompleteness(log, i, term, entryTerm);
    }
  }

  /** Log Matching: the same (index, term) means the same entry, with the same predecessor. */
  onPersist(node: NodeId, e: Entry, prevTerm: number | undefined): void {
    const k = `${e.index}/${e.term}`;
    const key = entryKey(e);
    const seen = this.seen.get(k);
    if (seen === undefined) {
      this.seen.set(k, { key, prevTerm });
      return;
    }
    if (seen.key !== key) throw new SafetyViolation('log matching', `${node} holds a different entry at index ${e.index} term ${e.term}`);
    if (seen.prevTerm !== undefined && prevTerm !== undefined && seen.prevTerm !== prevTerm) {
      throw new SafetyViolation('log matching', `${node}: entry ${e.index}/${e.term} follows term ${prevTerm}, elsewhere term ${seen.prevTerm}`);
    }
  }

  /** The durable commit index of a node never decreases, across restarts too. */
  onHardState(node: NodeId, hs: HardState): void {
    const prev = this.durableCommit.get(node) ?? 0;
    if (hs.commit < prev) throw new SafetyViolation('commit monotonicity', `${node} persisted commit ${hs.commit} after ${prev}`);
    this.durableCommit.set(node, hs.commit);
  }

  /** State Machine Safety: every node applies the same entry at each index, without gaps. */
  onApply(node: NodeId, e: Entry): void {
    const last = this.lastApplied.get(node);
    if (last !== undefined && e.index !== last + 1) throw new SafetyViolation('apply order', `${node} applied ${e.index} after ${last}`);
    this.lastApplied.set(node, e.index);
    const key = entryKey(e);
    const prev = this.applied.get(e.index);
    if (prev === undefined) {
      this.applied.set(e.index, key);
      this.appliedTerm.set(e.index, e.term);
    } else if (prev !== key) {
      throw new SafetyViolation('state machine safety', `${node} applied a different entry at index ${e.index} (term ${e.term}, first applied term ${this.appliedTerm.get(e.index)})`);
    }
  }

  /** A node restored a snapshot: it must agree with what was applied at its index. */
  onSnapshot(node: NodeId, s: Snapshot): void {
    const t = this.appliedTerm.get(s.meta.index);
    if (t !== undefined && t !== s.meta.term) throw new SafetyViolation('state machine safety', `${node} restored a snapshot at ${s.meta.index} term ${s.meta.term}, applied entry has term ${t}`);
    this.lastApplied.set(node, s.meta.index);
  }

  /** A node restarted: it re-applies from its snapshot. */
  onRestart(node: NodeId, appliedFrom: number): void {
    this.lastApplied.set(node, appliedFrom);
  }
}
