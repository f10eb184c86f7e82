/**
 * The order of history records, newest first, held in memory. Records are sharded by a hash
 * of their job id (see layout.ts), so the tree gives no order; the index keeps each record's
 * sort time and blob id (about 100 bytes a record), built on the first query by reading every
 * record once, then kept up to date by apply().
 */
import type { HistoryRecord } from './types.js';

export interface IndexedRecord {
  jobId: string;
  attempt: number;
  /** finishedAt, else startedAt, else queuedAt: when the attempt last moved. */
  timeMs: number;
  oid: string;
}

/** The time a record sorts by. */
export function sortTimeOf(r: Pick<HistoryRecord, 'finishedAt' | 'startedAt' | 'queuedAt'>): number {
  return r.finishedAt ?? r.startedAt ?? r.queuedAt;
}

/** Newest first; ties by job id, then attempt, both descending, so the order is total. */
export function compareNewestFirst(a: IndexedRecord, b: IndexedRecord): number {
  if (a.timeMs !== b.timeMs) return b.timeMs - a.timeMs;
  if (a.jobId !== b.jobId) return a.jobId < b.jobId ? 1 : -1;
  return b.attempt - a.attempt;
}

export class HistoryIndex {
  private readonly records = new Map<string, IndexedRecord>();

  put(r: IndexedRecord): void {
    this.records.set(`${r.jobId}\0${r.attempt}`, r);
  }

  get size(): number {
    return this.records.size;
  }

  /** The `limit` newest records: a partial selection, not a sort of everything. */
  newest(limit: number): IndexedRecord[] {
    const top: IndexedRecord[] = [];
    for (const r of this.records.values()) {
      if (top.length === limit && compareNewestFirst(r, top[top.length - 1]!) >= 0) continue;
      let i = top.length;
      while (i > 0 && compareNewestFirst(r, top[i - 1]!) < 0) i--;
      top.splice(i, 0, r);
      if (top.length > limit) top.pop();
    }
    return top;
  }
}
