/**
 * Framing of one record on disk. A record is a 13-byte header then the payload:
 *
 *   u32 LE payload length | u8 type | u32 LE CRC32 of the payload | u32 LE CRC32 of bytes 0..9
 *
 * The header has its own checksum so that a damaged length is caught before it is trusted:
 * recovery can then tell a torn tail (nothing valid follows) from a damaged record in the
 * middle (a valid record follows) by scanning forward, without an O(n²) search.
 */
import { crc32 } from 'node:zlib';

export const recordHeaderBytes = 13;

/** Record types. Numbers are on disk: never reuse one. */
export const RecordType = {
  /** A log entry: index, term, entry type, data. */
  entry: 1,
  /** The hard state (term, vote, commit); the last one read wins. */
  hardState: 2,
  /** A snapshot received from the leader replaced the whole log (etcd's ApplySnapshot). */
  snapshotReset: 3,
  /** The body of a snapshot file. */
  snapshot: 4,
} as const;

export type RecordTypeCode = (typeof RecordType)[keyof typeof RecordType];

const knownTypes = new Set<number>(Object.values(RecordType));

/** Frames a payload as one record (header + payload) in a new buffer. */
export function frameRecord(type: RecordTypeCode, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(recordHeaderBytes + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt8(type, 4);
  out.writeUInt32LE(crc32(payload), 5);
  out.writeUInt32LE(crc32(out.subarray(0, 9)), 9);
  out.set(payload, recordHeaderBytes);
  return out;
}

export type ParsedRecord =
  | { ok: true; type: RecordTypeCode; payload: Buffer; end: number }
  | { ok: false; reason: string };

/** Parses the record that starts at `offset`, checking both checksums and the bounds. */
export function parseRecordAt(buf: Buffer, offset: number): ParsedRecord {
  if (buf.length - offset < recordHeaderBytes) {
    return { ok: false, reason: `partial header (${buf.length - offset} of ${recordHeaderBytes} bytes)` };
  }
  if (crc32(buf.subarray(offset, offset + 9)) !== buf.readUInt32LE(offset + 9)) {
    return { ok: false, reason: 'header checksum mismatch' };
  }
  const length = buf.readUInt32LE(offset);
  const type = buf.readUInt8(offset + 4);
  if (!knownTypes.has(type)) return { ok: false, reason: `unknown record type ${type}` };
  const start = offset + recordHeaderBytes;
  const end = start + length;
  if (end > buf.length) {
    return { ok: false, reason: `partial payload (${buf.length - start} of ${length} bytes)` };
  }
  const payload = buf.subarray(start, end);
  if (crc32(payload) !== buf.readUInt32LE(offset + 5)) return { ok: false, reason: 'payload checksum mismatch' };
  return { ok: true, type: type as RecordTypeCode, payload, end };
}

/**
 * The offset of the first complete, valid record that starts after `offset`, or -1. Used
 * only after a record failed to parse, to decide whether the damage is a torn tail (-1) or
 * sits in the middle of the log. The header checksum makes each probe cheap.
 */
export function findValidRecordAfter(buf: Buffer, offset: number): number {
  for (let at = offset + 1; at + recordHeaderBytes <= buf.length; at++) {
    if (parseRecordAt(buf, at).ok) return at;
  }
  return -1;
}
