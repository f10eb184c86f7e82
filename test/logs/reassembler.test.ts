import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkBatcher, concat, Reassembler, type LogChunk, type LogEnd } from '../../src/logs/index.js';

function chunksOf(total: number, max: number): LogChunk[] {
  const b = new ChunkBatcher({ job: 'j', attempt: 1, chunkBytesMax: max });
  const data = new Uint8Array(total).map((_, i) => (i * 31) & 0xff);
  return [...b.push(data, 0), ...b.flush()];
}

function endOf(chunks: LogChunk[]): LogEnd {
  const bytes = chunks.reduce((n, c) => n + c.data.byteLength, 0);
  return { job: 'j', attempt: 1, seqEnd: chunks.length, bytes, sha256: '00'.repeat(32), timeMs: 0 };
}

describe('Reassembler', () => {
  it('delivers in order, holds early chunks, ignores duplicates', () => {
    const cs = chunksOf(50, 10);
    const r = new Reassembler({ job: 'j', attempt: 1 });
    expect(r.accept(cs[2]!)).toEqual([]);
    expect(r.gaps()).toEqual([{ from: 0, to: 2 }]);
    expect(r.accept(cs[0]!).map((c) => c.seq)).toEqual([0]);
    expect(r.accept(cs[0]!)).toEqual([]);
    expect(r.accept(cs[1]!).map((c) => c.seq)).toEqual([1, 2]);
    expect(r.accept(cs[2]!)).toEqual([]);
    expect(r.stats.duplicates).toBe(2);
    expect(r.done).toBe(false);
    r.acceptEnd(endOf(cs));
    expect(r.gaps()).toEqual([{ from: 3, to: 5 }]);
    r.accept(cs[4]!);
    expect(r.accept(cs[3]!).map((c) => c.seq)).toEqual([3, 4]);
    expect(r.done).toBe(true);
    expect(r.gaps()).toEqual([]);
  });

  it('reports the tail as a gap once the owner says how far the log goes', () => {
    const r = new Reassembler({ job: 'j', attempt: 1, fromSeq: 4 });
    expect(r.gaps()).toEqual([]);
    r.noteTip(9);
    expect(r.gaps()).toEqual([{ from: 4, to: 9 }]);
  });

  it('resumes mid-log: learns the offset from the first chunk, then checks the rest against it', () => {
    const cs = chunksOf(50, 10);
    const r = new Reassembler({ job: 'j', attempt: 1, fromSeq: 2 });
    expect(r.nextOffset).toBeNull();
    expect(r.accept(cs[1]!)).toEqual([]);
    expect(r.accept(cs[2]!).map((c) => c.seq)).toEqual([2]);
    expect(r.nextOffset).toBe(30);
    // A forged chunk 3 with the wrong offset is refused and stays a gap.
    expect(r.accept({ ...cs[3]!, offset: 99 })).toEqual([]);
    expect(r.stats.conflicts).toBe(1);
    expect(r.accept(cs[3]!).map((c) => c.seq)).toEqual([3]);
  });

  it('refuses chunks beyond the end marker and a contradicting second marker', () => {
    const cs = chunksOf(30, 10);
    const r = new Reassembler({ job: 'j', attempt: 1 });
    r.acceptEnd(endOf(cs.slice(0, 2)));
    expect(r.accept(cs[2]!)).toEqual([]);
    r.acceptEnd(endOf(cs));
    expect(r.stats.conflicts).toBe(2);
  });

  it('bounds what it holds: the chunks furthest ahead are evicted and come back as gaps', () => {
    const cs = chunksOf(100, 1);
    const r = new Reassembler({ job: 'j', attempt: 1, chunksMax: 5 });
    for (const c of cs.slice(1, 20)) r.accept(c);
    expect(r.pendingChunks).toBe(5);
    expect(r.stats.evicted).toBe(14);
    expect(r.gaps()).toEqual([
      { from: 0, to: 1 },
      { from: 6, to: 20 },
    ]);
    expect(r.accept(cs[0]!).map((c) => c.seq)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('property: any order, duplicates and drops repaired from the gaps give the exact stream', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 1, max: 200 }),
        fc.array(fc.nat(), { maxLength: 400 }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.integer({ min: 1, max: 50 }),
        fc.nat(),
        (total, max, order, dropRate, window, seed) => {
          const cs = chunksOf(total, max);
          const r = new Reassembler({ job: 'j', attempt: 1, chunksMax: window });
          let s = seed;
          const rnd = (): number => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
          // Deliveries: every chunk once or twice, shuffled by `order`, some dropped.
          const deliveries = [...cs, ...cs.filter(() => rnd() < 0.3)];
          const n = deliveries.length;
          if (n > 0) {
            order.forEach((k, i) => {
              [deliveries[i % n], deliveries[k % n]] = [deliveries[k % n]!, deliveries[i % n]!];
            });
          }
          const out: LogChunk[] = [];
          for (const c of deliveries) if (rnd() >= dropRate) out.push(...r.accept(c));
          r.acceptEnd(endOf(cs));
          // Repair: fetch the reported gaps from the "owner" until done (bounded rounds).
          for (let round = 0; round < cs.length + 2 && !r.done; round++) {
            for (const g of r.gaps()) for (let q = g.from; q < g.to; q++) out.push(...r.accept(cs[q]!));
          }
          expect(r.done).toBe(true);
          expect(out.map((c) => c.seq)).toEqual(cs.map((c) => c.seq));
          expect(concat(out.map((c) => c.data))).toEqual(concat(cs.map((c) => c.data)));
        },
      ),
      { numRuns: 200 },
    );
  });
});
