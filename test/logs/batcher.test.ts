import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkBatcher, chunkBytesMax, chunkFlushMs, concat, type LogChunk } from '../../src/logs/index.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
/** Copies chunks, as a caller that keeps them past the batcher's next call must. */
const kept = (cs: LogChunk[]): LogChunk[] => cs.map((c) => ({ ...c, data: new Uint8Array(c.data) }));

describe('ChunkBatcher', () => {
  it('cuts by size at chunkBytesMax and numbers chunks with offsets', () => {
    const b = new ChunkBatcher({ job: 'j', attempt: 1 });
    const out = b.push(new Uint8Array(2 * chunkBytesMax + 10).fill(7), 1000);
    expect(out.map((c) => [c.seq, c.offset, c.data.byteLength, c.timeMs])).toEqual([
      [0, 0, chunkBytesMax, 1000],
      [1, chunkBytesMax, chunkBytesMax, 1000],
    ]);
    expect(b.pendingBytes).toBe(10);
    expect(b.deadlineMs()).toBe(1000 + chunkFlushMs);
    expect(b.flush().map((c) => [c.seq, c.offset, c.data.byteLength])).toEqual([[2, 2 * chunkBytesMax, 10]]);
    expect(b.flush()).toEqual([]);
    expect(b.deadlineMs()).toBeNull();
  });

  it('cuts by time: bytes wait at most chunkFlushMs after their first byte', () => {
    const b = new ChunkBatcher({ job: 'j', attempt: 1 });
    expect(b.push(bytes('a'), 100)).toEqual([]);
    expect(b.push(bytes('b'), 120)).toEqual([]);
    expect(b.tick(149)).toEqual([]);
    const [c] = b.tick(150);
    expect(new TextDecoder().decode(c!.data)).toBe('ab');
    expect(c!.timeMs).toBe(100);
    // A push that arrives after the deadline cuts at once, itself included.
    b.push(bytes('c'), 200);
    const late = b.push(bytes('d'), 260);
    expect(late.map((x) => new TextDecoder().decode(x.data))).toEqual(['cd']);
  });

  it('takes a chunk made of one write as it is, and joins several in its own buffer', () => {
    const b = new ChunkBatcher({ job: 'j', attempt: 0, chunkBytesMax: 4 });
    const whole = bytes('abcd');
    expect(b.push(whole, 0)[0]!.data).toBe(whole);
    b.push(bytes('ef'), 0);
    const [c] = b.push(bytes('gh'), 0);
    expect(new TextDecoder().decode(c!.data)).toBe('efgh');
  });

  it('property: any split and timing yields the stream back, in order, within limits', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 30 })), { maxLength: 60 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 0, max: 40 }),
        (writes, max, flushMs) => {
          const b = new ChunkBatcher({ job: 'j', attempt: 2, chunkBytesMax: max, chunkFlushMs: flushMs });
          const stream = concat(writes.map(([w]) => w));
          const chunks: LogChunk[] = [];
          let now = 0;
          for (const [w, dt] of writes) {
            now += dt;
            chunks.push(...kept(b.tick(now)), ...kept(b.push(w, now)));
            // The caller's bytes are valid only during push: the batcher must not have kept them.
            w.fill(0xee);
          }
          chunks.push(...kept(b.flush()));
          expect(concat(chunks.map((c) => c.data))).toEqual(stream);
          let offset = 0;
          chunks.forEach((c, i) => {
            expect(c.seq).toBe(i);
            expect(c.offset).toBe(offset);
            expect(c.data.byteLength).toBeGreaterThan(0);
            expect(c.data.byteLength).toBeLessThanOrEqual(max);
            offset += c.data.byteLength;
          });
        },
      ),
    );
  });
});
