/**
 * The store's snapshot, for Raft log compaction: the HEAD commit id and one pack holding
 * every object with its index. Installing it reproduces the source's repository exactly
 * (same HEAD, same history), whatever the receiver held before.
 *
 *   "CAIRNSS1"  8 bytes, magic and version
 *   head        20 bytes, the commit id (all zero: an empty store)
 *   idxBytes    u64 big-endian, then the pack index
 *   packBytes   u64 big-endian, then the pack
 */
import { CairnError } from '../util/errors.js';
import { snapshotBytesMax } from './constants.js';

const magic = Buffer.from('CAIRNSS1');
const zeroHead = Buffer.alloc(20);

export interface SnapshotParts {
  head: string | null;
  idx: Buffer;
  pack: Buffer;
}

export function encodeSnapshot(parts: SnapshotParts): Uint8Array {
  const head = parts.head === null ? zeroHead : Buffer.from(parts.head, 'hex');
  const idxLen = Buffer.alloc(8);
  idxLen.writeBigUInt64BE(BigInt(parts.idx.length));
  const packLen = Buffer.alloc(8);
  packLen.writeBigUInt64BE(BigInt(parts.pack.length));
  return Buffer.concat([magic, head, idxLen, parts.idx, packLen, parts.pack]);
}

export function decodeSnapshot(bytes: Uint8Array): SnapshotParts {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (why: string): CairnError => new CairnError('STORAGE_CORRUPT', `store snapshot is damaged: ${why}`, { bytes: buf.length });
  if (buf.length > snapshotBytesMax) throw bad(`it is larger than ${snapshotBytesMax} bytes`);
  if (buf.length < 36 || !buf.subarray(0, 8).equals(magic)) throw bad('it does not start with CAIRNSS1');
  const headBuf = buf.subarray(8, 28);
  const head = headBuf.equals(zeroHead) ? null : headBuf.toString('hex');
  let pos = 28;
  const take = (): Buffer => {
    if (pos + 8 > buf.length) throw bad('it is truncated');
    const len = Number(buf.readBigUInt64BE(pos));
    pos += 8;
    if (pos + len > buf.length) throw bad('it is truncated');
    const part = buf.subarray(pos, pos + len);
    pos += len;
    return part;
  };
  const idx = take();
  const pack = take();
  if (pos !== buf.length) throw bad('it has trailing bytes');
  if ((head === null) !== (pack.length === 0)) throw bad('its head and its pack disagree');
  return { head, idx, pack };
}
