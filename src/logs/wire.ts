import { CairnError, assert } from '../util/errors.js';
import { checkLogId, type LogChunk, type LogEnd } from './chunk.js';
import { concat } from './batcher.js';
import { messageBytesMax, messageChunksMax, messageRawBytesMax, rangeReplyRawBytesMax } from './constants.js';
import { ByteReader, ByteWriter } from './varint.js';

/**
 * The log wire formats: gossip messages (`chunks`, `end`) and the `log-range` repair
 * protocol (request, reply). Each starts with a magic byte, a version and a kind, then a
 * small binary header; chunk bytes travel as one payload compressed by the injected
 * function (zstd in the I/O layer), so this core stays pure.
 *
 *   header  := magic(0xC7) version(1) kind
 *   chunks  := header job attempt count { seq offset timeMs length }* payload
 *   end     := header job attempt seqEnd bytes sha256[32] timeMs
 *   request := header job attempt fromSeq toSeq rawBytesMax
 *   reply   := header job attempt tipSeq hasEnd [seqEnd bytes sha256[32] timeMs] count {..}* payload
 *   payload := codec(0 raw | 1 compressed) rawBytes bytes...
 */

/**
 * Compresses a payload given as consecutive parts of `rawBytes` bytes in all (zstd in
 * production); taking parts spares a copy of every chunk into one buffer first.
 */
export type Compress = (parts: readonly Uint8Array[], rawBytes: number) => Uint8Array;
/** Decompresses a payload that must expand to exactly `rawBytes` bytes; throws otherwise. */
export type Decompress = (packed: Uint8Array, rawBytes: number) => Uint8Array;

/** A gossip message on the log topic. */
export type LogMessage = { kind: 'chunks'; job: string; attempt: number; chunks: LogChunk[] } | { kind: 'end'; end: LogEnd };

/** Asks the owner for chunks `fromSeq` up to `toSeq` (excluded), at most `rawBytesMax` bytes of them. */
export interface RangeRequest {
  job: string;
  attempt: number;
  fromSeq: number;
  /** Excluded; `Number.MAX_SAFE_INTEGER` for "as far as there is". */
  toSeq: number;
  rawBytesMax: number;
}

/** The owner's answer: the chunks it has in the range, how far its log goes, and its end if it ended. */
export interface RangeReply {
  job: string;
  attempt: number;
  chunks: LogChunk[];
  /** Chunks the owner has indexed so far (the next seq it will cut). */
  tipSeq: number;
  end: LogEnd | null;
}

const magic = 0xc7;
const version = 1;
const kinds = { chunks: 1, end: 2, request: 3, reply: 4 } as const;
const codecRaw = 0;
const codecPacked = 1;
const shaBytes = 32;

export function encodeLogMessage(msg: LogMessage, compress: Compress): Uint8Array {
  if (msg.kind === 'end') {
    const w = header(kinds.end, msg.end.job, msg.end.attempt);
    writeEnd(w, msg.end);
    return w.finish();
  }
  const payload = packPayload(msg.chunks, compress, messageRawBytesMax);
  const w = header(kinds.chunks, msg.job, msg.attempt, headerBytes(msg.chunks) + payload.bytes.byteLength);
  writeChunks(w, msg.chunks, payload);
  return w.finish();
}

export function decodeLogMessage(bytes: Uint8Array, decompress: Decompress): LogMessage {
  const r = new ByteReader(bytes, 'log message');
  const { kind, job, attempt } = readHeader(r);
  if (kind === kinds.end) {
    const end = readEnd(r, job, attempt);
    r.end();
    return { kind: 'end', end };
  }
  if (kind !== kinds.chunks) throw r.fail(`unexpected kind ${kind}`);
  return { kind: 'chunks', job, attempt, chunks: readChunks(r, job, attempt, decompress, messageRawBytesMax) };
}

/**
 * Reads only a gossip message's kind and attempt, without decompressing it: a follower skips
 * the messages of logs nobody follows here. Null when the bytes are not a log message.
 */
export function peekLogMessage(bytes: Uint8Array): { kind: LogMessage['kind']; job: string; attempt: number } | null {
  try {
    const { kind, job, attempt } = readHeader(new ByteReader(bytes, 'log message'));
    if (kind === kinds.chunks) return { kind: 'chunks', job, attempt };
    if (kind === kinds.end) return { kind: 'end', job, attempt };
    return null;
  } catch {
    return null;
  }
}

export function encodeRangeRequest(req: RangeRequest): Uint8Array {
  return header(kinds.request, req.job, req.attempt).varint(req.fromSeq).varint(req.toSeq).varint(req.rawBytesMax).finish();
}

export function decodeRangeRequest(bytes: Uint8Array): RangeRequest {
  const r = new ByteReader(bytes, 'log range request');
  const { kind, job, attempt } = readHeader(r);
  if (kind !== kinds.request) throw r.fail(`unexpected kind ${kind}`);
  const req = { job, attempt, fromSeq: r.varint(), toSeq: r.varint(), rawBytesMax: r.varint() };
  r.end();
  if (req.toSeq < req.fromSeq) throw r.fail('empty range');
  return req;
}

export function encodeRangeReply(reply: RangeReply, compress: Compress): Uint8Array {
  const payload = packPayload(reply.chunks, compress, rangeReplyRawBytesMax);
  const w = header(kinds.reply, reply.job, reply.attempt, headerBytes(reply.chunks) + 64 + payload.bytes.byteLength).varint(reply.tipSeq);
  w.byte(reply.end === null ? 0 : 1);
  if (reply.end !== null) writeEnd(w, reply.end);
  writeChunks(w, reply.chunks, payload);
  return w.finish();
}

export function decodeRangeReply(bytes: Uint8Array, decompress: Decompress): RangeReply {
  const r = new ByteReader(bytes, 'log range reply');
  const { kind, job, attempt } = readHeader(r);
  if (kind !== kinds.reply) throw r.fail(`unexpected kind ${kind}`);
  const tipSeq = r.varint();
  const hasEnd = r.byte();
  if (hasEnd > 1) throw r.fail('bad end flag');
  const end = hasEnd === 1 ? readEnd(r, job, attempt) : null;
  const chunks = readChunks(r, job, attempt, decompress, rangeReplyRawBytesMax);
  return { job, attempt, chunks, tipSeq, end };
}

/** A gossip message of chunks, and the raw bytes it carries. */
export interface EncodedChunks {
  wire: Uint8Array;
  rawBytes: number;
}

/**
 * Encodes one attempt's consecutive chunks as gossip messages: groups of at most `rawBytesMax`
 * raw bytes (see groupChunks), each compressed. A group whose message would exceed
 * `messageBytesMax` (output that does not compress: archives, binary) is split in halves until
 * the halves fit; a lone chunk always fits.
 */
export function encodeChunkMessages(job: string, attempt: number, chunks: readonly LogChunk[], compress: Compress, rawBytesMax = messageRawBytesMax): EncodedChunks[] {
  const out: EncodedChunks[] = [];
  const encode = (group: LogChunk[]): void => {
    const wire = encodeLogMessage({ kind: 'chunks', job, attempt, chunks: group }, compress);
    if (wire.byteLength > messageBytesMax && group.length > 1) {
      const half = Math.ceil(group.length / 2);
      encode(group.slice(0, half));
      encode(group.slice(half));
      return;
    }
    assert(wire.byteLength <= messageBytesMax, `a message of one chunk is ${wire.byteLength} bytes, over ${messageBytesMax}`);
    out.push({ wire, rawBytes: group.reduce((n, c) => n + c.data.byteLength, 0) });
  };
  for (const group of groupChunks(chunks, rawBytesMax)) encode(group);
  return out;
}

/**
 * Splits consecutive chunks into groups of at most `rawBytesMax` bytes each, one gossip
 * message per group. A single chunk larger than the limit is a programmer error (the
 * batcher's chunk limit is below the message limit).
 */
export function groupChunks(chunks: readonly LogChunk[], rawBytesMax = messageRawBytesMax): LogChunk[][] {
  const groups: LogChunk[][] = [];
  let group: LogChunk[] = [];
  let bytes = 0;
  for (const c of chunks) {
    assert(c.data.byteLength <= rawBytesMax, `chunk of ${c.data.byteLength} bytes exceeds the message limit ${rawBytesMax}`);
    if (group.length > 0 && (bytes + c.data.byteLength > rawBytesMax || group.length >= messageChunksMax)) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(c);
    bytes += c.data.byteLength;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/** Lower-case hex of bytes (the SHA-256 in end markers). */
export function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

function fromHex(s: string): Uint8Array {
  assert(/^[0-9a-f]*$/.test(s) && s.length % 2 === 0, `not lower-case hex: ${s}`);
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function header(kind: number, job: string, attempt: number, sizeBytes = 256): ByteWriter {
  return new ByteWriter(sizeBytes).byte(magic).byte(version).byte(kind).string(job).varint(attempt);
}

function readHeader(r: ByteReader): { kind: number; job: string; attempt: number } {
  if (r.byte() !== magic) throw r.fail('not a cairn log message');
  const v = r.byte();
  if (v !== version) throw r.fail(`unsupported version ${v}`);
  const kind = r.byte();
  const job = r.string(1024);
  const attempt = r.varint();
  checkLogId(job, attempt);
  return { kind, job, attempt };
}

function writeEnd(w: ByteWriter, end: LogEnd): void {
  const sha = fromHex(end.sha256);
  assert(sha.byteLength === shaBytes, 'end marker digest must be a SHA-256');
  w.varint(end.seqEnd).varint(end.bytes).bytes(sha).varint(Math.max(0, Math.floor(end.timeMs)));
}

function readEnd(r: ByteReader, job: string, attempt: number): LogEnd {
  const seqEnd = r.varint();
  const bytes = r.varint();
  const sha256 = toHex(r.bytes(shaBytes));
  return { job, attempt, seqEnd, bytes, sha256, timeMs: r.varint() };
}

/** A message's payload: the chunks' bytes, compressed unless that does not pay. */
interface Payload {
  codec: number;
  raw: number;
  bytes: Uint8Array;
}

function packPayload(chunks: readonly LogChunk[], compress: Compress, rawBytesMax: number): Payload {
  assert(chunks.length <= messageChunksMax, `too many chunks in one message: ${chunks.length}`);
  const parts = chunks.map((c) => c.data);
  const raw = parts.reduce((n, p) => n + p.byteLength, 0);
  assert(raw <= rawBytesMax, `message of ${raw} raw bytes exceeds ${rawBytesMax}`);
  if (raw === 0) return { codec: codecRaw, raw, bytes: new Uint8Array(0) };
  const packed = compress(parts, raw);
  // Incompressible output (already-compressed artifacts, random bytes) travels as it is.
  return packed.byteLength >= raw ? { codec: codecRaw, raw, bytes: concat(parts, raw) } : { codec: codecPacked, raw, bytes: packed };
}

/** Upper bound of a message's header and chunk table (varints of at most 8 bytes). */
function headerBytes(chunks: readonly LogChunk[]): number {
  return 1200 + chunks.length * 32;
}

function writeChunks(w: ByteWriter, chunks: readonly LogChunk[], payload: Payload): void {
  w.varint(chunks.length);
  for (const c of chunks) w.varint(c.seq).varint(c.offset).varint(Math.max(0, Math.floor(c.timeMs))).varint(c.data.byteLength);
  w.byte(payload.codec).varint(payload.raw).bytes(payload.bytes);
}

function readChunks(r: ByteReader, job: string, attempt: number, decompress: Decompress, rawBytesMax: number): LogChunk[] {
  const count = r.varint();
  if (count > messageChunksMax) throw r.fail(`${count} chunks exceed ${messageChunksMax}`);
  const heads: Array<{ seq: number; offset: number; timeMs: number; length: number }> = [];
  let raw = 0;
  for (let i = 0; i < count; i++) {
    const h = { seq: r.varint(), offset: r.varint(), timeMs: r.varint(), length: r.varint() };
    const prev = heads[heads.length - 1];
    if (prev !== undefined && h.seq <= prev.seq) throw r.fail('chunks out of order');
    if (prev !== undefined && h.seq === prev.seq + 1 && h.offset !== prev.offset + prev.length) throw r.fail('chunk offsets do not follow');
    raw += h.length;
    if (raw > rawBytesMax) throw r.fail(`payload exceeds ${rawBytesMax} bytes`);
    heads.push(h);
  }
  const codec = r.byte();
  const rawBytes = r.varint();
  if (rawBytes !== raw) throw r.fail('payload size does not match the chunks');
  const body = r.rest();
  let payload: Uint8Array;
  if (codec === codecRaw) {
    if (body.byteLength !== raw) throw r.fail('raw payload size does not match');
    payload = body;
  } else if (codec === codecPacked) {
    try {
      payload = decompress(body, raw);
    } catch (err) {
      throw new CairnError('INVALID_INPUT', `malformed log payload: ${(err as Error).message}`, { job, attempt }, { cause: err });
    }
    if (payload.byteLength !== raw) throw r.fail('payload decompressed to the wrong size');
  } else {
    throw r.fail(`unknown codec ${codec}`);
  }
  let at = 0;
  return heads.map((h) => {
    const data = payload.subarray(at, at + h.length);
    at += h.length;
    return { job, attempt, seq: h.seq, offset: h.offset, timeMs: h.timeMs, data };
  });
}
