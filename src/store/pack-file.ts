/**
 * One pack on disk with its index, read with positioned reads: the index is held in memory
 * (28 bytes per object) and each object is read alone, so memory does not grow with the pack
 * (isomorphic-git would read the whole pack into memory).
 */
import { read } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { assert, CairnError } from '../util/errors.js';
import { objectBytesMax } from './constants.js';
import { closeFd, openFd } from './fs-durable.js';
import type { OidFilter } from './oid-filter.js';
import { unzlibStored } from './zlib-stored.js';
import { objectTypeOf, type ObjectType } from './git-object.js';
import {
  idxFanoutBytes, idxHeaderBytes, idxSignature, ofsDeltaType, packHeaderBytes, packSignature, packTrailerBytes, refDeltaType,
  type IdxEntry,
} from './pack-format.js';

/** An entry as stored: a whole object, or a delta against a base found by offset or by id. */
export type RawEntry =
  | { kind: 'whole'; type: ObjectType; data: Buffer }
  | { kind: 'ofs-delta'; baseOffset: number; data: Buffer }
  | { kind: 'ref-delta'; baseOid: string; data: Buffer };

/** Longest entry header: type-and-size varint plus an ofs-delta distance or a base id. */
const entryHeaderBytesMax = 32;

export class PackFile {
  private sortedOffsets: Float64Array | null = null;

  private constructor(
    readonly name: string,
    readonly packPath: string,
    readonly packBytes: number,
    readonly count: number,
    private readonly idx: Buffer,
    /** A plain descriptor, not a FileHandle: cheaper to open, and a written pack keeps the one it was written with. */
    private readonly fd: number,
  ) {}

  /** Opens `pack-<name>.pack` after checking its index and that the two belong together. */
  static async open(packPath: string, idxPath: string, idx: Buffer): Promise<PackFile> {
    const fail = (why: string): CairnError =>
      new CairnError('STORAGE_CORRUPT', `pack index ${idxPath} is unusable: ${why}`, { path: idxPath, part: 'index' });
    if (idx.length < idxHeaderBytes + idxFanoutBytes + 40 || !idx.subarray(0, 4).equals(idxSignature) || idx.readUInt32BE(4) !== 2) {
      throw fail('not a version-2 pack index');
    }
    const count = idx.readUInt32BE(idxHeaderBytes + idxFanoutBytes - 4);
    if (idx.length < idxHeaderBytes + idxFanoutBytes + count * 28 + 40) throw fail('it is truncated');
    const body = idx.subarray(0, idx.length - 20);
    if (!createHash('sha1').update(body).digest().equals(idx.subarray(idx.length - 20))) throw fail('its checksum does not match');
    const packChecksum = idx.subarray(idx.length - 40, idx.length - 20);
    const { size } = await stat(packPath).catch((cause: unknown) => {
      throw new CairnError('STORAGE_CORRUPT', `pack ${packPath} is missing next to its index`, { path: packPath }, { cause });
    });
    const fd = await openFd(packPath, 'r');
    try {
      const head = Buffer.alloc(packHeaderBytes);
      const tail = Buffer.alloc(packTrailerBytes);
      if (size < packHeaderBytes + packTrailerBytes) throw new Error('too short');
      await readAt(fd, head, 0);
      await readAt(fd, tail, size - packTrailerBytes);
      if (!head.subarray(0, 4).equals(packSignature) || head.readUInt32BE(8) !== count || !tail.equals(packChecksum)) {
        throw new Error('its header or trailer does not match its index');
      }
      const name = tail.toString('hex');
      return new PackFile(name, packPath, size, count, idx, fd);
    } catch (err) {
      await closeFd(fd);
      throw new CairnError('STORAGE_CORRUPT', `pack ${packPath} is corrupt: ${(err as Error).message}`, { path: packPath }, { cause: err });
    }
  }

  /**
   * A pack this process has just written through `fd` (opened for reading too), with the
   * index it built: nothing to check, since both came from the bytes in hand.
   */
  static written(packPath: string, fd: number, packBytes: number, idx: Buffer): PackFile {
    const count = idx.readUInt32BE(idxHeaderBytes + idxFanoutBytes - 4);
    const name = idx.toString('hex', idx.length - 40, idx.length - 20);
    return new PackFile(name, packPath, packBytes, count, idx, fd);
  }

  private get oidsAt(): number { return idxHeaderBytes + idxFanoutBytes; }

  /** Offset of `oid` in this pack, or -1. */
  find(oid: string): number {
    return this.findRaw(Buffer.from(oid, 'hex'));
  }

  /** Offset of the object whose id is the 20 bytes `want`, or -1: a binary search in its fanout bucket. */
  findRaw(want: Buffer): number {
    const first = want[0]!;
    let lo = first === 0 ? 0 : this.idx.readUInt32BE(idxHeaderBytes + (first - 1) * 4);
    let hi = this.idx.readUInt32BE(idxHeaderBytes + first * 4);
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const at = this.oidsAt + mid * 20;
      const c = compareIds(this.idx, at, want, 0);
      if (c === 0) return this.offsetAt(mid);
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    return -1;
  }

  /** Every object with its offset and CRC, in index order. */
  entries(): IdxEntry[] {
    const out: IdxEntry[] = [];
    for (let i = 0; i < this.count; i++) {
      const at = this.oidsAt + i * 20;
      out.push({ oid: this.idx.toString('hex', at, at + 20), offset: this.offsetAt(i), crc: this.crcAt(i) });
    }
    return out;
  }

  /** Adds every object id of this pack to `filter`. */
  addIdsTo(filter: OidFilter): void {
    for (let i = 0; i < this.count; i++) filter.add(this.idx, this.oidsAt + i * 20);
  }

  /** Compares the id of this pack's i-th object (in index order) with `other`'s j-th. */
  compareOids(i: number, other: PackFile, j: number): number {
    const at = this.oidsAt + i * 20;
    const otherAt = other.oidsAt + j * 20;
    return compareIds(this.idx, at, other.idx, otherAt);
  }

  /**
   * Copies the index rows [from, to) (in index order) into the index `out` of a pack of
   * `total` objects, at row `row`, moving each offset by `shift` (where this pack's entries
   * land in a joined pack).
   */
  copyEntries(from: number, to: number, out: Buffer, row: number, total: number, shift: number): void {
    const outOids = idxHeaderBytes + idxFanoutBytes;
    const outCrcs = outOids + total * 20;
    const outOffsets = outCrcs + total * 4;
    this.idx.copy(out, outOids + row * 20, this.oidsAt + from * 20, this.oidsAt + to * 20);
    const crcs = this.oidsAt + this.count * 20;
    this.idx.copy(out, outCrcs + row * 4, crcs + from * 4, crcs + to * 4);
    for (let i = from; i < to; i++) {
      const offset = this.offsetAt(i) + shift;
      assert(offset < 0x80000000, 'a joined pack stays below 2 GiB');
      out.writeUInt32BE(offset, outOffsets + (row + i - from) * 4);
    }
  }

  private crcAt(i: number): number {
    return this.idx.readUInt32BE(this.oidsAt + this.count * 20 + i * 4);
  }

  private offsetAt(i: number): number {
    const offsetsAt = this.oidsAt + this.count * 24;
    const v = this.idx.readUInt32BE(offsetsAt + i * 4);
    if ((v & 0x80000000) === 0) return v;
    const large = offsetsAt + this.count * 4 + (v & 0x7fffffff) * 8;
    return Number(this.idx.readBigUInt64BE(large));
  }

  /** Where the entry at `offset` ends: the next entry's offset, or the trailer. */
  private endOf(offset: number): number {
    if (this.sortedOffsets === null) {
      const all = new Float64Array(this.count);
      for (let i = 0; i < this.count; i++) all[i] = this.offsetAt(i);
      this.sortedOffsets = all.sort();
    }
    const s = this.sortedOffsets;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid]! <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo < s.length ? s[lo]! : this.packBytes - packTrailerBytes;
  }

  /** Reads and inflates the entry at `offset`, in one positioned read. */
  async readEntry(offset: number): Promise<RawEntry> {
    const end = this.endOf(offset);
    const length = end - offset;
    if (length <= 0 || length > objectBytesMax + entryHeaderBytesMax) throw this.corrupt(offset, 'its length is out of bounds');
    const raw = Buffer.alloc(length);
    const bytesRead = await readAt(this.fd, raw, offset);
    if (bytesRead !== length) throw this.corrupt(offset, 'the file is shorter than its index says');
    let pos = 0;
    let byte = raw[pos++]!;
    const type = (byte >> 4) & 0x07;
    let size = byte & 0x0f;
    let shift = 4;
    while (byte & 0x80) {
      byte = raw[pos++] ?? 0;
      size += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    }
    if (size > objectBytesMax) throw this.corrupt(offset, `it claims ${size} bytes`);
    let base: { baseOffset: number } | { baseOid: string } | null = null;
    if (type === ofsDeltaType) {
      byte = raw[pos++] ?? 0;
      let distance = byte & 0x7f;
      while (byte & 0x80) {
        byte = raw[pos++] ?? 0;
        distance = (distance + 1) * 128 + (byte & 0x7f);
      }
      base = { baseOffset: offset - distance };
    } else if (type === refDeltaType) {
      base = { baseOid: raw.toString('hex', pos, pos + 20) };
      pos += 20;
    }
    let data: Buffer;
    try {
      data = unzlibStored(raw.subarray(pos)) ?? inflateSync(raw.subarray(pos));
    } catch (cause) {
      throw this.corrupt(offset, `it does not inflate (${(cause as Error).message})`);
    }
    if (data.length !== size) throw this.corrupt(offset, `it inflates to ${data.length} bytes, not ${size}`);
    if (base !== null) return 'baseOffset' in base ? { kind: 'ofs-delta', baseOffset: base.baseOffset, data } : { kind: 'ref-delta', baseOid: base.baseOid, data };
    const objectType = objectTypeOf[type];
    if (objectType === undefined) throw this.corrupt(offset, `it has type ${type}`);
    return { kind: 'whole', type: objectType, data };
  }

  /** Reads `length` raw bytes at `position` (for copying entries between packs). */
  async readRange(position: number, length: number): Promise<Buffer> {
    const buf = Buffer.alloc(length);
    const bytesRead = await readAt(this.fd, buf, position);
    if (bytesRead !== length) throw this.corrupt(position, 'the file is shorter than its header says');
    return buf;
  }

  async close(): Promise<void> {
    await closeFd(this.fd);
  }

  private corrupt(offset: number, why: string): CairnError {
    return new CairnError('STORAGE_CORRUPT', `pack ${this.packPath} is corrupt at offset ${offset}: ${why}`, { path: this.packPath, offset });
  }
}

/**
 * Compares two 20-byte object ids in place. A byte loop: ids differ within a byte or two, and
 * Buffer#compare with ranges costs more in argument checks than the comparison itself.
 */
function compareIds(a: Buffer, aAt: number, b: Buffer, bAt: number): number {
  for (let k = 0; k < 20; k++) {
    const d = a[aAt + k]! - b[bAt + k]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** Fills `buf` from `position` on; resolves with the bytes read (fewer only at the end of the file). */
function readAt(fd: number, buf: Buffer, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buf, 0, buf.length, position, (err, bytesRead) => (err ? reject(err) : resolve(bytesRead)));
  });
}
