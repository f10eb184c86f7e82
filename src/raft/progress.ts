/**
 * The leader's view of one follower's log (etcd's tracker/progress.go and inflights.go).
 * `probe`: we don't know where its log matches; send one append and wait. `replicate`: it
 * matches; stream appends optimistically within the inflight window. `snapshot`: it needs a
 * snapshot; send nothing until it reports back.
 */
import type { NodeId } from './types.js';

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/** A bounded window of in-flight appends, freed as the follower acknowledges them. */
export class Inflights {
  private readonly items: { index: number; bytes: number }[] = [];
  private head = 0;
  private bytes = 0;

  constructor(private readonly countMax: number, private readonly bytesMax: number) {}

  count(): number {
    return this.items.length - this.head;
  }

  add(index: number, bytes: number): void {
    this.items.push({ index, bytes });
    this.bytes += bytes;
  }

  /** Frees every append whose last index is ≤ `to`. */
  freeLE(to: number): void {
    while (this.head < this.items.length && this.items[this.head]!.index <= to) {
      this.bytes -= this.items[this.head]!.bytes;
      this.head++;
    }
    // Compact the array once the freed prefix dominates, so it does not grow without bound.
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Frees the oldest append: lets a window whose appends were all lost make progress again. */
  freeFirstOne(): void {
    const first = this.items[this.head];
    if (first !== undefined) this.freeLE(first.index);
  }

  full(): boolean {
    return this.count() >= this.countMax || (this.bytesMax > 0 && this.bytes >= this.bytesMax);
  }

  reset(): void {
    this.items.length = 0;
    this.head = 0;
    this.bytes = 0;
  }
}

export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** Index of the snapshot in flight while in the snapshot state. */
  pendingSnapshot = 0;
  /** Heard from since the last check-quorum round (§6.2 of the dissertation). */
  recentActive = false;
  /** In probe: an append is out, wait for its answer (or a heartbeat response). */
  probeSent = false;
  readonly inflights: Inflights;

  constructor(readonly id: NodeId, next: number, inflightCountMax: number, inflightBytesMax: number, public isLearner: boolean) {
    this.next = next;
    this.inflights = new Inflights(inflightCountMax, inflightBytesMax);
  }

  private resetState(state: ProgressState): void {
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.state = state;
    this.inflights.reset();
  }

  becomeProbe(): void {
    if (this.state === 'snapshot') {
      // The follower may have installed the snapshot: probe just past it.
      const pending = this.pendingSnapshot;
      this.resetState('probe');
      this.next = Math.max(this.match + 1, pending + 1);
    } else {
      this.resetState('probe');
      this.next = this.match + 1;
    }
  }

  becomeReplicate(): void {
    this.resetState('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.resetState('snapshot');
    this.pendingSnapshot = snapshotIndex;
  }

  /** An accepted append up to n; false if it is stale. */
  maybeUpdate(n: number): boolean {
    let updated = false;
    if (this.match < n) {
      this.match = n;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, n + 1);
    return updated;
  }

  /**
   * A rejected append of index `rejected`; `matchHint` is where the follower says our logs may
   * match. Returns false if the rejection is stale (answers an older probe).
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }

  /** Records that an append with `entries` entries ending at `last` was sent. */
  sentEntries(entries: number, last: number, bytes: number): void {
    if (this.state === 'replicate') {
      if (entries > 0) {
        this.next = last + 1;
        this.inflights.add(last, bytes);
      }
    } else if (this.state === 'probe') {
      this.probeSent = true;
    }
  }

  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflights.full();
      case 'snapshot':
        return true;
    }
  }
}
