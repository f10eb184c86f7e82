/**
 * Segment files: `wal/<seq>-<first index>.wal`. `seq` orders them (a segment started after
 * a truncation can begin at a lower index than the one before it, so the index cannot);
 * `first index` says where its entries begin, for humans and for compaction.
 *
 * Reading a segment tells a torn tail from corruption: a record that fails to parse is a
 * torn write if nothing valid follows it in the last segment (the tail is dropped), and
 * corruption otherwise (STORAGE_CORRUPT with the file and the record's offset).
 */
import { readdir } from 'node:fs/promises';
import { CairnError } from '../util/errors.js';
import {
  PayloadError,
  decodeEntry,
  decodeHardState,
  decodeSnapshotReset,
  type SnapshotPoint,
} from './codec.js';
import { segmentNameDigits } from './constants.js';
import { pad } from './fs-util.js';
import { RecordType, findValidRecordAfter, parseRecordAt } from './record.js';
import type { Entry, HardState } from '../raft/types.js';

const segmentNamePattern = /^(\d+)-(\d+)\.wal$/;

export interface SegmentFile {
  name: string;
  seq: number;
  firstIndex: number;
}

/** One decoded record of the log. */
export type WalRecord =
  | { kind: 'entry'; entry: Entry }
  | { kind: 'hardState'; hardState: HardState }
  | { kind: 'snapshotReset'; at: SnapshotPoint };

/** A record and the offset of its header in its segment. */
export interface PlacedRecord {
  offset: number;
  record: WalRecord;
}

export interface SegmentScan {
  records: PlacedRecord[];
  /** Bytes of valid records; less than the file's size when a torn tail was found. */
  validBytes: number;
  /** Why the tail was dropped, when it was. */
  tornReason: string | null;
}

export function segmentFileName(seq: number, firstIndex: number): string {
  return `${pad(seq, segmentNameDigits)}-${pad(firstIndex, segmentNameDigits)}.wal`;
}

/** Lists the segments in `dir` by sequence number; a gap in the sequence is corruption. */
export async function listSegmentFiles(dir: string): Promise<SegmentFile[]> {
  const files: SegmentFile[] = [];
  for (const name of await readdir(dir)) {
    const m = segmentNamePattern.exec(name);
    if (m?.[1] !== undefined && m[2] !== undefined) files.push({ name, seq: Number(m[1]), firstIndex: Number(m[2]) });
  }
  files.sort((a, b) => a.seq - b.seq);
  for (let i = 1; i < files.length; i++) {
    const prev = files[i - 1];
    const cur = files[i];
    if (prev !== undefined && cur !== undefined && cur.seq !== prev.seq + 1) {
      throw new CairnError('STORAGE_CORRUPT', `write-ahead log in ${dir} is missing segment ${prev.seq + 1} (between ${prev.name} and ${cur.name})`, {
        file: `${dir}/${cur.name}`,
        offset: 0,
      });
    }
  }
  return files;
}

/**
 * Decodes every record of one segment's bytes. `isLast` says whether this is the newest
 * segment: only there can a torn write be (a segment is complete and synced before the next
 * is created).
 */
export function scanSegment(buf: Buffer, path: string, isLast: boolean): SegmentScan {
  const records: PlacedRecord[] = [];
  let offset = 0;
  while (offset < buf.length) {
    const rec = parseRecordAt(buf, offset);
    if (!rec.ok) {
      const next = findValidRecordAfter(buf, offset);
      if (next >= 0 || !isLast) {
        const why = next >= 0 ? `a valid record follows at offset ${next}` : 'later segments follow it';
        throw new CairnError(
          'STORAGE_CORRUPT',
          `write-ahead log segment ${path} is corrupt at offset ${offset}: ${rec.reason}, and ${why}, so this is damage, not a torn write; refusing to start (restore this node's raft/ directory from a peer or remove it to rejoin as a new member)`,
          { file: path, offset, reason: rec.reason },
        );
      }
      return { records, validBytes: offset, tornReason: rec.reason };
    }
    try {
      records.push({ offset, record: decodeRecord(rec.type, rec.payload) });
    } catch (err) {
      if (!(err instanceof PayloadError)) throw err;
      throw new CairnError('STORAGE_CORRUPT', `write-ahead log segment ${path} has an undecodable record at offset ${offset}: ${err.message}`, {
        file: path,
        offset,
        reason: err.message,
      });
    }
    offset = rec.end;
  }
  return { records, validBytes: offset, tornReason: null };
}

function decodeRecord(type: number, payload: Buffer): WalRecord {
  switch (type) {
    case RecordType.entry:
      return { kind: 'entry', entry: decodeEntry(payload) };
    case RecordType.hardState:
      return { kind: 'hardState', hardState: decodeHardState(payload) };
    case RecordType.snapshotReset:
      return { kind: 'snapshotReset', at: decodeSnapshotReset(payload) };
    default:
      throw new PayloadError(`record type ${type} does not belong in a segment`);
  }
}
