/**
 * The byte layouts of git's pack files and their version-2 indexes (gitformat-pack(5)). Both
 * the writer and the reader use these, so each layout is written down once.
 */
import { createHash } from 'node:crypto';
import { assert } from '../util/errors.js';

export const packSignature = Buffer.from('PACK');
export const packHeaderBytes = 12;
export const packTrailerBytes = 20;
export const idxSignature = Buffer.from([0xff, 0x74, 0x4f, 0x63]);
export const idxHeaderBytes = 8;
export const idxFanoutBytes = 256 * 4;
export const ofsDeltaType = 6;
export const refDeltaType = 7;

/** Offsets at or past 2^31 need the index's large-offset table; the store's packs never do. */
export const packBytesMax = 0x7fffffff;

/** One object's place in a pack, as its index records it. */
export interface IdxEntry {
  oid: string;
  offset: number;
  crc: number;
}

/** The 12-byte header of a pack holding `count` objects. */
export function packHeader(count: number): Buffer {
  const h = Buffer.alloc(packHeaderBytes);
  packSignature.copy(h, 0);
  h.writeUInt32BE(2, 4);
  h.writeUInt32BE(count, 8);
  return h;
}

/** An entry's type-and-size header: 3 type bits and the size in little-endian 7-bit groups. */
export function entryHeader(type: number, size: number): Buffer {
  const out: number[] = [];
  let byte = (type << 4) | (size & 0x0f);
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    out.push(byte | 0x80);
    byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
  }
  out.push(byte);
  return Buffer.from(out);
}

/** The distance back to an ofs-delta's base, in git's big-endian "plus one" varint. */
export function ofsDeltaDistance(distance: number): Buffer {
  assert(distance > 0, 'an ofs-delta base lies before its delta');
  const out = [distance & 0x7f];
  let rest = Math.floor(distance / 128);
  while (rest > 0) {
    rest -= 1;
    out.unshift(0x80 | (rest & 0x7f));
    rest = Math.floor(rest / 128);
  }
  return Buffer.from(out);
}

/** Builds a version-2 index for a pack whose trailer checksum is `packChecksum`. */
export function buildIdx(entries: IdxEntry[], packChecksum: Buffer): Buffer {
  const sorted = [...entries].sort((a, b) => (a.oid < b.oid ? -1 : a.oid > b.oid ? 1 : 0));
  const n = sorted.length;
  const buf = Buffer.alloc(idxHeaderBytes + idxFanoutBytes + n * 28 + 40);
  idxSignature.copy(buf, 0);
  buf.writeUInt32BE(2, 4);
  const fanout = new Uint32Array(256);
  for (const e of sorted) fanout[parseInt(e.oid.slice(0, 2), 16)]!++;
  let running = 0;
  for (let i = 0; i < 256; i++) {
    running += fanout[i]!;
    buf.writeUInt32BE(running, idxHeaderBytes + i * 4);
  }
  const oidsAt = idxHeaderBytes + idxFanoutBytes;
  const crcsAt = oidsAt + n * 20;
  const offsetsAt = crcsAt + n * 4;
  sorted.forEach((e, i) => {
    assert(i === 0 || sorted[i - 1]!.oid !== e.oid, 'a pack holds each object once');
    assert(e.offset < 0x80000000, 'pack offsets stay below 2^31');
    buf.write(e.oid, oidsAt + i * 20, 'hex');
    buf.writeUInt32BE(e.crc >>> 0, crcsAt + i * 4);
    buf.writeUInt32BE(e.offset, offsetsAt + i * 4);
  });
  const trailerAt = offsetsAt + n * 4;
  packChecksum.copy(buf, trailerAt);
  createHash('sha1').update(buf.subarray(0, trailerAt + 20)).digest().copy(buf, trailerAt + 20);
  return buf;
}
