/**
 * The durable log as the Raft core reads it, after etcd's MemoryStorage. The application
 * (or the write-ahead log adapter on restart) writes into it: `append` the entries of each
 * Ready once they are on disk, `setHardState`, `applySnapshot`; it compacts with
 * `createSnapshot` + `compact`. The core only reads.
 *
 * Layout: `ents[0]` is a dummy entry holding the index and term of the last compacted entry
 * (the snapshot's), so `term(firstIndex - 1)` is always answerable.
 */
import { CairnError, assert } from '../util/errors.js';
import type { ConfState, Entry, HardState, Snapshot } from './types.js';

/** What a node restarts from. */
export interface InitialState {
  hardState: HardState;
  confState: ConfState;
}

/** The read side the core uses. */
export interface Storage {
  initialState(): InitialState;
  /** Entries in [lo, hi), at most `bytesMax` payload bytes but always at least one. */
  entries(lo: number, hi: number, bytesMax?: number): Entry[];
  /** Term of entry i, or undefined if i is compacted away (below firstIndex - 1) or beyond lastIndex. */
  term(i: number): number | undefined;
  firstIndex(): number;
  lastIndex(): number;
  snapshot(): Snapshot;
}

export const emptyHardState: HardState = { term: 0, vote: null, commit: 0 };

/** Payload bytes of an entry as flow control counts them. */
export function entryBytes(e: Entry): number {
  return e.data.length;
}

/** Takes entries from the front while their bytes stay within `bytesMax` (always at least one). */
export function limitBytes(ents: Entry[], bytesMax: number | undefined): Entry[] {
  if (bytesMax === undefined || ents.length === 0) return ents;
  let size = entryBytes(ents[0]!);
  let n = 1;
  for (; n < ents.length; n++) {
    size += entryBytes(ents[n]!);
    if (size > bytesMax) break;
  }
  return n === ents.length ? ents : ents.slice(0, n);
}

export class MemoryStorage implements Storage {
  private hard: HardState = emptyHardState;
  private snap: Snapshot = { meta: { index: 0, term: 0, conf: { voters: [], learners: [] } }, data: new Uint8Array(0) };
  private ents: Entry[] = [{ term: 0, index: 0, type: 'normal', data: new Uint8Array(0) }];

  /**
   * Storage for a founding member of a new cluster: an empty state-machine snapshot at index 1,
   * term 1, carrying the initial configuration. Every founder must bootstrap with the same
   * `conf`. A node that joins later starts from `new MemoryStorage()` (no configuration) and
   * receives this or a later snapshot from the leader, so it learns the membership history.
   */
  static bootstrap(conf: ConfState): MemoryStorage {
    const s = new MemoryStorage();
    s.applySnapshot({ meta: { index: 1, term: 1, conf: { voters: [...conf.voters].sort(), learners: [...conf.learners].sort() } }, data: new Uint8Array(0) });
    s.hard = { term: 1, vote: null, commit: 1 };
    return s;
  }

  initialState(): InitialState {
    return { hardState: this.hard, confState: this.snap.meta.conf };
  }

  hardState(): HardState {
    return this.hard;
  }

  setHardState(hs: HardState): void {
    this.hard = { term: hs.term, vote: hs.vote, commit: hs.commit };
  }

  private offset(): number {
    return this.ents[0]!.index;
  }

  firstIndex(): number {
    return this.offset() + 1;
  }

  lastIndex(): number {
    return this.offset() + this.ents.length - 1;
  }

  term(i: number): number | undefined {
    const off = this.offset();
    if (i < off || i > this.lastIndex()) return undefined;
    return this.ents[i - off]!.term;
  }

  entries(lo: number, hi: number, bytesMax?: number): Entry[] {
    const off = this.offset();
    assert(lo > off, `entries(${lo}) compacted (first index ${off + 1})`);
    assert(lo <= hi && hi <= this.lastIndex() + 1, `entries(${lo}, ${hi}) out of range (last ${this.lastIndex()})`);
    return limitBytes(this.ents.slice(lo - off, hi - off), bytesMax);
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /**
   * Replaces the whole log with a snapshot received from the leader. An older snapshot than
   * the one held is an operating error (a stale message), reported as CONFLICT.
   */
  applySnapshot(snap: Snapshot): void {
    if (snap.meta.index <= this.snap.meta.index && this.snap.meta.index > 0) {
      throw new CairnError('CONFLICT', 'snapshot is older than the one held', { index: snap.meta.index, held: this.snap.meta.index });
    }
    this.snap = snap;
    this.ents = [{ term: snap.meta.term, index: snap.meta.index, type: 'normal', data: new Uint8Array(0) }];
  }

  /**
   * Records a snapshot of the state machine at applied index `i` (with the configuration as of
   * `i`), so a lagging follower can be sent it. Does not discard entries: `compact` does.
   */
  createSnapshot(i: number, conf: ConfState, data: Uint8Array): Snapshot {
    assert(i <= this.lastIndex(), `snapshot index ${i} beyond last index ${this.lastIndex()}`);
    if (i <= this.snap.meta.index) return this.snap;
    const term = this.term(i);
    assert(term !== undefined, `snapshot index ${i} is compacted`);
    this.snap = { meta: { index: i, term, conf: { voters: [...conf.voters], learners: [...conf.learners] } }, data };
    return this.snap;
  }

  /** Discards entries up to and including `i` (which must be covered by a snapshot). */
  compact(i: number): void {
    const off = this.offset();
    if (i <= off) return;
    assert(i <= this.lastIndex(), `compact ${i} beyond last index ${this.lastIndex()}`);
    assert(i <= this.snap.meta.index, `compact ${i} beyond snapshot ${this.snap.meta.index}: entries would be lost`);
    const dummy = this.ents[i - off]!;
    this.ents = [{ term: dummy.term, index: dummy.index, type: 'normal', data: new Uint8Array(0) }, ...this.ents.slice(i - off + 1)];
  }

  /** Appends entries that are now durable, truncating any conflicting suffix (§5.3). */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const last = entries[0]!.index + entries.length - 1;
    if (last < first) return;
    let ents = entries;
    if (first > ents[0]!.index) ents = ents.slice(first - ents[0]!.index);
    const at = ents[0]!.index - this.offset();
    assert(at <= this.ents.length, `missing log entries: last ${this.lastIndex()}, appending at ${ents[0]!.index}`);
    // In place: truncate the conflicting suffix, then push (entries() hands out copies).
    this.ents.length = at;
    for (const e of ents) this.ents.push(e);
  }
}
