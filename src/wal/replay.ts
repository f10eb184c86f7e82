/**
 * Rebuilds the log from the records of every segment, oldest first. Pure: no I/O.
 *
 * Rules, in the order records were written:
 * - an entry at index i when the log ends at or after i means a new leader overwrote a
 *   suffix (§5.3): entries from i on are dropped, then the new one is appended. Later wins;
 * - an entry past the end of the log plus one is a gap: corruption;
 * - a snapshot reset (a snapshot received from the leader) empties the log;
 * - the last hard state wins;
 * finally entries covered by the newest snapshot are dropped, and what is left must begin
 * right after it.
 */
import type { Entry, HardState, SnapshotMeta } from '../raft/types.js';
import { CairnError } from '../util/errors.js';
import type { PlacedRecord } from './segment.js';

export interface ReplaySegment {
  path: string;
  records: PlacedRecord[];
}

export interface ReplayResult {
  hardState: HardState;
  entries: Entry[];
  /** Index of the last entry, or of the snapshot when the log is empty. */
  lastIndex: number;
  /** Per segment, the highest index any record in it mentions (0 if none): compaction uses it. */
  maxIndexes: number[];
}

export const emptyHardState: HardState = { term: 0, vote: null, commit: 0 };

export function replay(segments: ReplaySegment[], snapshot: SnapshotMeta | null): ReplayResult {
  let ents: Entry[] = [];
  let hardState = emptyHardState;
  let resetIndex = 0;
  let resetAt: { path: string; offset: number } | null = null;
  const maxIndexes: number[] = [];
  for (const seg of segments) {
    let max = 0;
    for (const { offset, record } of seg.records) {
      if (record.kind === 'hardState') {
        hardState = record.hardState;
      } else if (record.kind === 'snapshotReset') {
        ents = [];
        resetIndex = record.at.index;
        resetAt = { path: seg.path, offset };
        max = Math.max(max, record.at.index);
      } else {
        const e = record.entry;
        max = Math.max(max, e.index);
        const first = ents[0]?.index;
        if (first === undefined || e.index < first) {
          ents = [e];
          continue;
        }
        const next = first + ents.length;
        if (e.index > next) {
          throw new CairnError('STORAGE_CORRUPT', `write-ahead log segment ${seg.path} has entry ${e.index} at offset ${offset}, but the log ends at ${next - 1}: entries are missing`, {
            file: seg.path,
            offset,
          });
        }
        ents.length = e.index - first;
        ents.push(e);
      }
    }
    maxIndexes.push(max);
  }
  const snapIndex = snapshot?.index ?? 0;
  if (resetAt !== null && resetIndex > snapIndex) {
    throw new CairnError('STORAGE_CORRUPT', `write-ahead log segment ${resetAt.path} records a snapshot at index ${resetIndex} (offset ${resetAt.offset}), but no snapshot file that recent exists`, {
      file: resetAt.path,
      offset: resetAt.offset,
    });
  }
  const first = ents[0]?.index;
  if (first !== undefined && first <= snapIndex) ents = ents.slice(snapIndex - first + 1);
  const head = ents[0];
  if (head !== undefined && head.index !== snapIndex + 1) {
    const path = segments[0]?.path ?? '';
    throw new CairnError('STORAGE_CORRUPT', `write-ahead log begins at entry ${head.index}, but the newest snapshot ends at ${snapIndex}: entries are missing (first segment ${path})`, {
      file: path,
      offset: 0,
    });
  }
  const last = ents[ents.length - 1]?.index ?? snapIndex;
  // A snapshot holds only committed state, but the hard state that carried that commit index
  // may have been written without an fsync of its own (save with sync: false) and lost.
  if (hardState.commit < snapIndex) hardState = { ...hardState, commit: snapIndex };
  return { hardState, entries: ents, lastIndex: last, maxIndexes };
}
