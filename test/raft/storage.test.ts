import { describe, expect, it } from 'vitest';
import { MemoryStorage, type Entry } from '../../src/raft/index.js';
import { CairnError } from '../../src/util/errors.js';

const e = (index: number, term: number): Entry => ({ index, term, type: 'normal', data: new Uint8Array([index]) });

function filled(): MemoryStorage {
  const s = MemoryStorage.bootstrap({ voters: ['a'], learners: [] });
  s.append([2, 3, 4, 5].map((i) => e(i, 1)));
  return s;
}

describe('MemoryStorage', () => {
  it('bootstraps at index 1, term 1, with the configuration', () => {
    const s = MemoryStorage.bootstrap({ voters: ['b', 'a'], learners: [] });
    expect([s.firstIndex(), s.lastIndex(), s.term(1)]).toEqual([2, 1, 1]);
    expect(s.initialState()).toEqual({ hardState: { term: 1, vote: null, commit: 1 }, confState: { voters: ['a', 'b'], learners: [] } });
  });

  it('appends, truncating a conflicting suffix', () => {
    const s = filled();
    s.append([e(4, 2), e(5, 2), e(6, 2)]);
    expect([3, 4, 5, 6].map((i) => s.term(i))).toEqual([1, 2, 2, 2]);
    expect(s.lastIndex()).toBe(6);
    s.append([e(3, 3)]);
    expect(s.lastIndex()).toBe(3);
    expect(() => s.append([e(9, 3)])).toThrow(/missing log entries/);
  });

  it('serves entries with a byte limit (always at least one)', () => {
    const s = filled();
    expect(s.entries(2, 6).map((x) => x.index)).toEqual([2, 3, 4, 5]);
    expect(s.entries(2, 6, 2).map((x) => x.index)).toEqual([2, 3]);
    expect(s.entries(2, 6, 0).map((x) => x.index)).toEqual([2]);
  });

  it('snapshots then compacts; compacted terms are unknown', () => {
    const s = filled();
    s.createSnapshot(4, { voters: ['a'], learners: [] }, new Uint8Array([9]));
    s.compact(3);
    expect([s.firstIndex(), s.term(2), s.term(3), s.term(4)]).toEqual([4, undefined, 1, 1]);
    expect(() => s.compact(5)).toThrow(/beyond snapshot/);
    expect(s.snapshot().meta).toEqual({ index: 4, term: 1, conf: { voters: ['a'], learners: [] } });
  });

  it('replaces the log with a newer snapshot and refuses an older one', () => {
    const s = filled();
    s.applySnapshot({ meta: { index: 10, term: 3, conf: { voters: ['a'], learners: [] } }, data: new Uint8Array() });
    expect([s.firstIndex(), s.lastIndex(), s.term(10)]).toEqual([11, 10, 3]);
    expect(() => s.applySnapshot({ meta: { index: 5, term: 3, conf: { voters: ['a'], learners: [] } }, data: new Uint8Array() })).toThrow(CairnError);
  });
});
