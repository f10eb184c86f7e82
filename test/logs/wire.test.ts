import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { compress, decompress } from 'zstd-napi';
import { describe, expect, it } from 'vitest';
import {
  ChunkBatcher,
  concat,
  decodeLogMessage,
  decodeRangeReply,
  decodeRangeRequest,
  encodeChunkMessages,
  encodeLogMessage,
  encodeRangeReply,
  encodeRangeRequest,
  groupChunks,
  messageBytesMax,
  messageRawBytesMax,
  type Compress,
  type Decompress,
  type LogChunk,
  type LogEnd,
} from '../../src/logs/index.js';
import { gossipMessageBytesMax } from '../../src/net/index.js';
import { CairnError } from '../../src/util/errors.js';

const zc: Compress = (parts) => compress(Buffer.concat(parts));
const zd: Decompress = (packed, rawBytes) => {
  const out = decompress(packed);
  if (out.byteLength !== rawBytes) throw new Error('size mismatch');
  return out;
};

const end: LogEnd = { job: 'build-1', attempt: 2, seqEnd: 12, bytes: 3456, sha256: 'ab'.repeat(32), timeMs: 1_700_000_000_123 };

function chunksOf(writes: Uint8Array[], max: number): LogChunk[] {
  const b = new ChunkBatcher({ job: 'build-1', attempt: 2, chunkBytesMax: max });
  // A chunk's data is valid until the batcher's next call: these are kept, so copied.
  const out = writes.flatMap((w, i) => b.push(w, 1_700_000_000_000 + i).map((c) => ({ ...c, data: new Uint8Array(c.data) })));
  return [...out, ...b.flush()];
}

describe('log wire codec', () => {
  it('round-trips an end marker', () => {
    expect(decodeLogMessage(encodeLogMessage({ kind: 'end', end }, zc), zd)).toEqual({ kind: 'end', end });
  });

  it('property: random chunking round-trips through grouped, compressed messages', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 2000 }), { maxLength: 40 }), fc.integer({ min: 1, max: 5000 }), fc.boolean(), (writes, max, text) => {
        const data = text ? writes.map((w) => w.map((x) => 0x61 + (x % 4))) : writes;
        const chunks = chunksOf(data, max);
        const back: LogChunk[] = [];
        for (const group of groupChunks(chunks, 8000)) {
          const wire = encodeLogMessage({ kind: 'chunks', job: 'build-1', attempt: 2, chunks: group }, zc);
          const msg = decodeLogMessage(wire, zd);
          if (msg.kind !== 'chunks') throw new Error('kind');
          back.push(...msg.chunks);
        }
        expect(back.map((c) => [c.seq, c.offset, c.timeMs, c.job, c.attempt])).toEqual(chunks.map((c) => [c.seq, c.offset, c.timeMs, c.job, c.attempt]));
        expect(concat(back.map((c) => c.data))).toEqual(concat(data));
      }),
    );
  });

  it('keeps every message below the gossip limit: output that does not compress goes in more, smaller messages', () => {
    const noise = new Uint8Array(randomBytes(3 * messageRawBytesMax));
    const text = new TextEncoder().encode('compiling src/module.ts ... ok\n'.repeat(Math.ceil((3 * messageRawBytesMax) / 31)));
    for (const [data, messagesMin, messagesMax] of [
      // Split in halves until under the limit: at least the limit's worth each, at worst half of it.
      [noise, Math.ceil(noise.byteLength / messageBytesMax), 2 * Math.ceil(noise.byteLength / messageBytesMax)],
      [text, 3, 4],
    ] as const) {
      const chunks = chunksOf([data], 64 * 1024);
      const messages = encodeChunkMessages('build-1', 2, chunks, zc);
      expect(messages.length).toBeGreaterThanOrEqual(messagesMin);
      expect(messages.length).toBeLessThanOrEqual(messagesMax);
      const back: LogChunk[] = [];
      for (const m of messages) {
        expect(m.wire.byteLength).toBeLessThanOrEqual(messageBytesMax);
        expect(m.wire.byteLength).toBeLessThan(gossipMessageBytesMax);
        const msg = decodeLogMessage(m.wire, zd);
        if (msg.kind !== 'chunks') throw new Error('kind');
        expect(m.rawBytes).toBe(msg.chunks.reduce((n, c) => n + c.data.byteLength, 0));
        back.push(...msg.chunks);
      }
      expect(back.map((c) => c.seq)).toEqual(chunks.map((c) => c.seq));
      expect(concat(back.map((c) => c.data))).toEqual(data);
    }
  });

  it('compresses text payloads', () => {
    const text = new TextEncoder().encode('compiling src/module.ts ... ok\n'.repeat(4000));
    const wire = encodeLogMessage({ kind: 'chunks', job: 'build-1', attempt: 2, chunks: chunksOf([text], 200_000) }, zc);
    expect(wire.byteLength * 20).toBeLessThan(text.byteLength);
  });

  it('round-trips range requests and replies', () => {
    const req = { job: 'build-1', attempt: 2, fromSeq: 5, toSeq: Number.MAX_SAFE_INTEGER, rawBytesMax: 4096 };
    expect(decodeRangeRequest(encodeRangeRequest(req))).toEqual(req);
    const chunks = chunksOf([new TextEncoder().encode('hello world\n'.repeat(100))], 100);
    for (const e of [null, end]) {
      const reply = { job: 'build-1', attempt: 2, chunks, tipSeq: 13, end: e };
      const back = decodeRangeReply(encodeRangeReply(reply, zc), zd);
      expect({ ...back, chunks: back.chunks.map((c) => ({ ...c, data: new Uint8Array(c.data) })) }).toEqual(reply);
    }
  });

  it('refuses malformed input with INVALID_INPUT', () => {
    const good = encodeLogMessage({ kind: 'chunks', job: 'build-1', attempt: 2, chunks: chunksOf([new Uint8Array(100).fill(65)], 30) }, zc);
    const cases: Uint8Array[] = [
      new Uint8Array([]),
      new Uint8Array([1, 2, 3]),
      good.subarray(0, good.byteLength - 1),
      concat([good, new Uint8Array([0])]),
      encodeRangeRequest({ job: 'x', attempt: 1, fromSeq: 0, toSeq: 1, rawBytesMax: 1 }),
      // A job id that would escape logs/.
      new Uint8Array([0xc7, 1, 2, 2, 0x2e, 0x2e, 1]),
    ];
    for (const c of cases) {
      try {
        decodeLogMessage(c, zd);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(CairnError);
        expect((err as CairnError).code).toBe('INVALID_INPUT');
      }
    }
  });

  it('refuses a payload that decompresses to another size (a decompression bomb)', () => {
    const chunks = chunksOf([new Uint8Array(1000).fill(65)], 1000);
    const wire = encodeLogMessage({ kind: 'chunks', job: 'build-1', attempt: 2, chunks }, zc);
    const lying: Decompress = (p) => decompress(p).subarray(0, 10);
    expect(() => decodeLogMessage(wire, lying)).toThrow(CairnError);
  });
});
