/**
 * Payload encodings of the record types (see record.ts for the framing). Integers are u64
 * little-endian, written as two u32 halves because indexes and terms are JS numbers (safe up
 * to 2^53). A payload that passed its CRC but does not decode is reported as corrupt by the
 * caller, with the file and offset it came from.
 */
import type { ConfState, Entry, EntryType, HardState, SnapshotMeta } from '../raft/types.js';
import { assert } from '../util/errors.js';

const two32 = 0x1_0000_0000;

const entryTypeCodes: Record<EntryType, number> = { normal: 0, 'conf-change': 1 };
const entryTypesByCode: readonly EntryType[] = ['normal', 'conf-change'];

/** A payload that passed its checksum but does not decode: the caller adds file and offset. */
export class PayloadError extends Error {}

function writeU64(buf: Buffer, n: number, offset: number): void {
  assert(Number.isSafeInteger(n) && n >= 0, `u64 field out of range: ${n}`);
  buf.writeUInt32LE(n % two32, offset);
  buf.writeUInt32LE(Math.floor(n / two32), offset + 4);
}

function readU64(buf: Buffer, offset: number): number {
  if (offset + 8 > buf.length) throw new PayloadError(`u64 at ${offset} past the end of a ${buf.length}-byte payload`);
  const n = buf.readUInt32LE(offset) + buf.readUInt32LE(offset + 4) * two32;
  if (!Number.isSafeInteger(n)) throw new PayloadError(`u64 at ${offset} is not a safe integer`);
  return n;
}

/** Fixed part of an entry payload: index, term, type. */
export const entryPayloadFixedBytes = 17;

export function encodeEntry(e: Entry): Buffer {
  const out = Buffer.allocUnsafe(entryPayloadFixedBytes + e.data.length);
  writeU64(out, e.index, 0);
  writeU64(out, e.term, 8);
  out.writeUInt8(entryTypeCodes[e.type], 16);
  out.set(e.data, entryPayloadFixedBytes);
  return out;
}

export function decodeEntry(p: Buffer): Entry {
  const index = readU64(p, 0);
  const term = readU64(p, 8);
  if (p.length < entryPayloadFixedBytes) throw new PayloadError('entry payload shorter than its fixed part');
  const type = entryTypesByCode[p.readUInt8(16)];
  if (type === undefined) throw new PayloadError(`unknown entry type ${p.readUInt8(16)}`);
  // Copy: the recovered entry must not pin the whole segment buffer in memory.
  return { index, term, type, data: new Uint8Array(p.subarray(entryPayloadFixedBytes)) };
}

export function encodeHardState(hs: HardState): Buffer {
  const vote = hs.vote === null ? null : Buffer.from(hs.vote, 'utf8');
  const out = Buffer.allocUnsafe(17 + (vote?.length ?? 0));
  writeU64(out, hs.term, 0);
  writeU64(out, hs.commit, 8);
  out.writeUInt8(vote === null ? 0 : 1, 16);
  if (vote !== null) out.set(vote, 17);
  return out;
}

export function decodeHardState(p: Buffer): HardState {
  const term = readU64(p, 0);
  const commit = readU64(p, 8);
  if (p.length < 17) throw new PayloadError('hard state payload too short');
  const hasVote = p.readUInt8(16);
  if (hasVote > 1) throw new PayloadError(`bad vote flag ${hasVote}`);
  if (hasVote === 0 && p.length !== 17) throw new PayloadError('hard state without a vote has trailing bytes');
  return { term, vote: hasVote === 1 ? p.subarray(17).toString('utf8') : null, commit };
}

/** Index and term of a snapshot that replaced the log. */
export interface SnapshotPoint {
  index: number;
  term: number;
}

export function encodeSnapshotReset(at: SnapshotPoint): Buffer {
  const out = Buffer.allocUnsafe(16);
  writeU64(out, at.index, 0);
  writeU64(out, at.term, 8);
  return out;
}

export function decodeSnapshotReset(p: Buffer): SnapshotPoint {
  if (p.length !== 16) throw new PayloadError(`snapshot reset payload is ${p.length} bytes, not 16`);
  return { index: readU64(p, 0), term: readU64(p, 8) };
}

/** Snapshot file body: index, term, u32 length of the ConfState JSON, the JSON, the data. */
export function encodeSnapshot(meta: SnapshotMeta, data: Uint8Array): Buffer {
  const conf = Buffer.from(JSON.stringify({ voters: meta.conf.voters, learners: meta.conf.learners }), 'utf8');
  const out = Buffer.allocUnsafe(20 + conf.length + data.length);
  writeU64(out, meta.index, 0);
  writeU64(out, meta.term, 8);
  out.writeUInt32LE(conf.length, 16);
  out.set(conf, 20);
  out.set(data, 20 + conf.length);
  return out;
}

export function decodeSnapshot(p: Buffer): { meta: SnapshotMeta; data: Uint8Array } {
  const index = readU64(p, 0);
  const term = readU64(p, 8);
  if (p.length < 20) throw new PayloadError('snapshot payload too short');
  const confBytes = p.readUInt32LE(16);
  if (20 + confBytes > p.length) throw new PayloadError('snapshot conf state past the end of the payload');
  const conf = parseConf(p.subarray(20, 20 + confBytes).toString('utf8'));
  return { meta: { index, term, conf }, data: new Uint8Array(p.subarray(20 + confBytes)) };
}

function parseConf(json: string): ConfState {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    throw new PayloadError('snapshot conf state is not JSON');
  }
  const isIds = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');
  if (typeof v !== 'object' || v === null) throw new PayloadError('snapshot conf state is not an object');
  const { voters, learners } = v as Record<string, unknown>;
  if (!isIds(voters) || !isIds(learners)) throw new PayloadError('snapshot conf state lacks voters or learners');
  return { voters, learners };
}
