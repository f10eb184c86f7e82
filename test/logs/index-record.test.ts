import { compress, decompress } from 'zstd-napi';
import { describe, expect, it } from 'vitest';
import {
  concat,
  decodeIndexRecords,
  decodeSeekTable,
  encodeIndexRecords,
  encodeSeekTable,
  framesFor,
  indexRecordBytes,
  seekFooterBytes,
  seekTableBytes,
} from '../../src/logs/index.js';
import { CairnError } from '../../src/util/errors.js';

describe('index records', () => {
  it('round-trips, ignores a torn last record, refuses a broken chain', () => {
    const recs = [
      { offset: 0, timeMs: 1_700_000_000_001, length: 10 },
      { offset: 10, timeMs: 1_700_000_000_051, length: 65536 },
      { offset: 65546, timeMs: 1_700_000_000_099, length: 1 },
    ];
    const bytes = encodeIndexRecords(recs);
    expect(bytes.byteLength).toBe(3 * indexRecordBytes);
    expect(decodeIndexRecords(bytes, 0)).toEqual(recs);
    expect(decodeIndexRecords(bytes.subarray(0, bytes.byteLength - 5), 0)).toEqual(recs.slice(0, 2));
    expect(() => decodeIndexRecords(encodeIndexRecords([recs[0]!, recs[2]!]), 0)).toThrow(CairnError);
  });
});

describe('seek table (zstd seekable format)', () => {
  it('locates frames and survives a plain zstd decompression', () => {
    const parts = [new Uint8Array(1000).fill(65), new Uint8Array(500).fill(66), new Uint8Array(10).fill(67)];
    const frames = parts.map((p) => compress(p));
    const table = encodeSeekTable(frames.map((f, i) => ({ packedBytes: f.byteLength, rawBytes: parts[i]!.byteLength })));
    const file = concat([...frames, table]);
    // Any zstd reader skips the table (a skippable frame).
    expect(new Uint8Array(decompress(file))).toEqual(concat(parts));
    const size = seekTableBytes(file.subarray(file.byteLength - seekFooterBytes));
    expect(size).toBe(table.byteLength);
    const located = decodeSeekTable(file.subarray(file.byteLength - size));
    expect(located.map((f) => f.rawOffset)).toEqual([0, 1000, 1500]);
    expect(framesFor(located, 999, 1001).map((f) => f.rawOffset)).toEqual([0, 1000]);
    expect(framesFor(located, 1500, 1510).map((f) => f.rawOffset)).toEqual([1500]);
    expect(() => seekTableBytes(new Uint8Array(seekFooterBytes))).toThrow(CairnError);
  });
});
