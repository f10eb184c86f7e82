import { describe, expect, it } from 'vitest';
import { CopyPages } from '../../src/logstore/copy-pages.js';

describe('CopyPages', () => {
  it('keeps each copy intact while the source is overwritten, and fills a page again once its copies are released', () => {
    const pages = new CopyPages(10, 1);
    const src = new Uint8Array([1, 2, 3, 4]);
    const a = pages.copy(src);
    src.fill(9);
    const b = pages.copy(src);
    expect([...a.data]).toEqual([1, 2, 3, 4]);
    expect([...b.data]).toEqual([9, 9, 9, 9]);
    expect(b.page).toBe(a.page);
    // No room left on the page: the next copy starts another one.
    const c = pages.copy(new Uint8Array([5, 5, 5]));
    expect(c.page).not.toBe(a.page);
    expect(c.data.buffer).not.toBe(a.data.buffer);
    pages.release(a.page);
    expect([...b.data]).toEqual([9, 9, 9, 9]);
    pages.release(b.page);
    // The page being filled starts over once its copies are released.
    pages.release(c.page);
    const d = pages.copy(new Uint8Array(8).fill(7));
    expect(d.data.buffer).toBe(c.data.buffer);
    expect(d.data.byteOffset).toBe(c.data.byteOffset);
    // The first page, empty, is the spare the next page is made of.
    const e = pages.copy(new Uint8Array(5).fill(6));
    expect(e.data.buffer).toBe(a.data.buffer);
    expect([...d.data]).toEqual([7, 7, 7, 7, 7, 7, 7, 7]);
    expect([...e.data]).toEqual([6, 6, 6, 6, 6]);
    // Trimmed, it keeps no spare: empty pages go to the garbage collector, live copies stay.
    pages.release(d.page);
    pages.trim();
    const f = pages.copy(new Uint8Array(6).fill(5));
    expect(f.data.buffer).not.toBe(c.data.buffer);
    expect(f.data.buffer).not.toBe(e.data.buffer);
    expect([...e.data]).toEqual([6, 6, 6, 6, 6]);
  });

  it('property: interleaved copies and releases never change a live copy', () => {
    const pages = new CopyPages(64, 2);
    const live: Array<{ copy: ReturnType<CopyPages['copy']>; want: number[] }> = [];
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let step = 0; step < 3000; step++) {
      if (live.length > 0 && next(2) === 0) {
        const [gone] = live.splice(next(live.length), 1);
        pages.release(gone!.copy.page);
      } else {
        const want = Array.from({ length: 1 + next(40) }, () => next(256));
        const src = new Uint8Array(want);
        live.push({ copy: pages.copy(src), want });
        src.fill(0);
      }
      const changed = live.filter((l) => l.copy.data.length !== l.want.length || l.want.some((b, i) => l.copy.data[i] !== b));
      expect(changed).toEqual([]);
    }
  });
});
