/**
 * The log as the core sees it: durable storage below, the unstable tail above, and the commit
 * and applied cursors. After etcd's log.go.
 */
import { assert } from '../util/errors.js';
import { limitBytes, type Storage } from './storage.js';
import { Unstable } from './unstable.js';
import type { Entry, Snapshot } from './types.js';

export class RaftLog {
  readonly unstable: Unstable;
  committed: number;
  applied: number;

  constructor(readonly storage: Storage, private readonly applyBatchBytesMax: number) {
    const first = storage.firstIndex();
    const last = storage.lastIndex();
    this.unstable = new Unstable(last + 1);
    this.committed = first - 1;
    this.applied = first - 1;
  }

  firstIndex(): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  lastTerm(): number {
    const t = this.term(this.lastIndex());
    assert(t !== undefined, 'term of the last index is unknown');
    return t;
  }

  /** Term of entry i; undefined when compacted or beyond the last index. */
  term(i: number): number | undefined {
    const dummy = this.firstIndex() - 1;
    if (i < dummy || i > this.lastIndex()) return undefined;
    return this.unstable.maybeTerm(i) ?? this.storage.term(i);
  }

  matchTerm(i: number, t: number): boolean {
    return this.term(i) === t;
  }

  /** §5.4.1: a log is more up to date if its last term is higher, or equal with a longer log. */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  /**
   * Follower side of AppendEntries (§5.3): if our entry at `index` has `logTerm`, append the
   * new entries (truncating at the first conflict) and advance commit. Returns the last index
   * the leader's message covers, or undefined if the consistency check failed.
   */
  maybeAppend(index: number, logTerm: number, committed: number, ents: Entry[]): number | undefined {
    if (!this.matchTerm(index, logTerm)) return undefined;
    const lastNew = index + ents.length;
    const ci = this.findConflict(ents);
    if (ci !== 0) {
      assert(ci > this.committed, `entry ${ci} conflicts with committed entry (committed ${this.committed})`);
      this.append(ents.slice(ci - (index + 1)));
    }
    this.commitTo(Math.min(committed, lastNew));
    return lastNew;
  }

  append(ents: Entry[]): number {
    if (ents.length === 0) return this.lastIndex();
    assert(ents[0]!.index - 1 >= this.committed, `appending after ${ents[0]!.index - 1} would overwrite committed ${this.committed}`);
    this.unstable.truncateAndAppend(ents);
    return this.lastIndex();
  }

  /** Index of the first entry whose term differs from ours (or that we lack), 0 if none. */
  findConflict(ents: Entry[]): number {
    for (const e of ents) if (!this.matchTerm(e.index, e.term)) return e.index;
    return 0;
  }

  /**
   * The largest index ≤ `index` whose term is ≤ `term`, with its term: where the leader's and
   * our logs can possibly match (etcd's fast backtracking). A compacted index answers term 0.
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    for (; index > 0; index--) {
      const ours = this.term(index);
      if (ours === undefined) return { index, term: 0 };
      if (ours <= term) return { index, term: ours };
    }
    return { index: 0, term: 0 };
  }

  unstableEntries(): Entry[] {
    return this.unstable.entries;
  }

  /** Committed entries not yet applied, bounded by bytes (always at least one). */
  nextCommittedEntries(): Entry[] {
    const off = Math.max(this.applied + 1, this.firstIndex());
    if (this.committed + 1 <= off) return [];
    return this.slice(off, this.committed + 1, this.applyBatchBytesMax) ?? [];
  }

  hasNextCommittedEntries(): boolean {
    return this.committed + 1 > Math.max(this.applied + 1, this.firstIndex());
  }

  /** The snapshot to send a lagging follower: a pending unstable one, else storage's. */
  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  hasPendingSnapshot(): boolean {
    return this.unstable.snapshot !== null;
  }

  commitTo(toCommit: number): void {
    if (toCommit <= this.committed) return;
    assert(toCommit <= this.lastIndex(), `commit ${toCommit} beyond last index ${this.lastIndex()}: log corrupted, truncated or lost`);
    this.committed = toCommit;
  }

  /** §5.4.2: only an entry of the current term is committed by counting replicas. */
  maybeCommit(maxIndex: number, term: number): boolean {
    if (maxIndex > this.committed && this.term(maxIndex) === term) {
      this.commitTo(maxIndex);
      return true;
    }
    return false;
  }

  appliedTo(i: number): void {
    if (i === 0) return;
    assert(i <= this.committed && i >= this.applied, `applied ${i} outside [${this.applied}, ${this.committed}]`);
    this.applied = i;
  }

  stableTo(i: number, t: number): void {
    this.unstable.stableTo(i, t);
  }

  stableSnapTo(i: number): void {
    this.unstable.stableSnapTo(i);
  }

  restore(s: Snapshot): void {
    this.committed = s.meta.index;
    this.unstable.restore(s);
  }

  /** Entries from i to the end, bounded by bytes; undefined if i is compacted. */
  entriesFrom(i: number, bytesMax: number): Entry[] | undefined {
    if (i > this.lastIndex()) return [];
    return this.slice(i, this.lastIndex() + 1, bytesMax);
  }

  /** Entries in [lo, hi) bounded by bytes; undefined if lo is compacted. */
  slice(lo: number, hi: number, bytesMax?: number): Entry[] | undefined {
    if (lo < this.firstIndex()) return undefined;
    assert(hi <= this.lastIndex() + 1, `slice(${lo}, ${hi}) beyond last index ${this.lastIndex()}`);
    if (lo === hi) return [];
    const off = this.unstable.offset;
    let ents: Entry[] = [];
    if (lo < off) {
      ents = this.storage.entries(lo, Math.min(hi, off), bytesMax);
      // Storage stopped short because of the byte limit: do not read past the gap.
      if (ents.length < Math.min(hi, off) - lo) return ents;
    }
    if (hi > off) {
      const tail = this.unstable.slice(Math.max(lo, off), hi);
      ents = ents.length > 0 ? ents.concat(tail) : tail;
    }
    return limitBytes(ents, bytesMax);
  }
}
