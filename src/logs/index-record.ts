import { CairnError } from '../util/errors.js';
import { indexRecordBytes } from './constants.js';

/**
 * One record of an attempt's side index (`<attempt>.idx`): where chunk `seq` lies in the log
 * file and when it was written. Records have a fixed size, so chunk `seq` is found at byte
 * `seq * indexRecordBytes` without reading the rest, and a torn last record (a crash mid-write)
 * is recognised by the file's length.
 *
 *   offset f64 LE | timeMs f64 LE | length u32 LE | reserved u32 (0)
 */
export interface IndexRecord {
  offset: number;
  timeMs: number;
  length: number;
}

/** Encodes consecutive records into one buffer (one write per flush). */
export function encodeIndexRecords(records: readonly IndexRecord[]): Uint8Array {
  const out = new Uint8Array(records.length * indexRecordBytes);
  const view = new DataView(out.buffer);
  records.forEach((r, i) => {
    const at = i * indexRecordBytes;
    view.setFloat64(at, r.offset, true);
    view.setFloat64(at + 8, r.timeMs, true);
    view.setUint32(at + 16, r.length, true);
    view.setUint32(at + 20, 0, true);
  });
  return out;
}

/**
 * Decodes whole records; a trailing partial record (torn write) is ignored. Records must
 * follow each other (each offset is the previous offset plus length), or the index is corrupt.
 */
export function decodeIndexRecords(bytes: Uint8Array, firstOffset?: number): IndexRecord[] {
  const n = Math.floor(bytes.byteLength / indexRecordBytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, n * indexRecordBytes);
  const out: IndexRecord[] = [];
  let expect = firstOffset;
  for (let i = 0; i < n; i++) {
    const at = i * indexRecordBytes;
    const r = { offset: view.getFloat64(at, true), timeMs: view.getFloat64(at + 8, true), length: view.getUint32(at + 16, true) };
    if (!Number.isSafeInteger(r.offset) || r.offset < 0 || (expect !== undefined && r.offset !== expect)) {
      throw new CairnError('STORAGE_CORRUPT', `log index record ${i} is inconsistent`, { record: i, offset: r.offset, expected: expect ?? null });
    }
    expect = r.offset + r.length;
    out.push(r);
  }
  return out;
}
