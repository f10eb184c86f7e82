import { describe, expect, it } from 'vitest';
import { coalesceAppends } from '../../src/raft/coalesce.js';
import type { AppendMessage, Message } from '../../src/raft/message.js';
import type { Entry } from '../../src/raft/types.js';

const entry = (index: number, term = 2, bytes = 10): Entry => ({ index, term, type: 'normal', data: new Uint8Array(bytes) });
const app = (to: string, index: number, logTerm: number, commit: number, entries: Entry[], term = 2): AppendMessage => ({ type: 'app', from: 'L', to, term, index, logTerm, commit, entries });

describe('coalesceAppends', () => {
  it('merges an append that continues the last one to the same peer, keeping its place and the higher commit', () => {
    const msgs: Message[] = [app('a', 5, 2, 4, [entry(6)]), app('b', 5, 2, 4, [entry(6)]), app('a', 6, 2, 6, []), app('a', 6, 2, 6, [entry(7)]), app('b', 6, 2, 6, [])];
    expect(coalesceAppends(msgs, 1 << 20)).toEqual([app('a', 5, 2, 6, [entry(6), entry(7)]), app('b', 5, 2, 6, [entry(6)])]);
  });

  it('leaves apart appends with another message to that peer between them', () => {
    const hb: Message = { type: 'heartbeat', from: 'L', to: 'a', term: 2, commit: 4, context: null };
    const msgs: Message[] = [app('a', 5, 2, 4, [entry(6)]), hb, app('a', 6, 2, 5, [entry(7)])];
    expect(coalesceAppends(msgs, 1 << 20)).toEqual(msgs);
  });

  it('leaves apart appends that do not continue each other, or of another term, or past the byte limit', () => {
    const gap = [app('a', 5, 2, 4, [entry(6)]), app('a', 7, 2, 4, [entry(8)])];
    expect(coalesceAppends(gap, 1 << 20)).toEqual(gap);
    const otherTerm = [app('a', 5, 2, 4, [entry(6)]), app('a', 6, 2, 4, [entry(7, 3)], 3)];
    expect(coalesceAppends(otherTerm, 1 << 20)).toEqual(otherTerm);
    const wrongLogTerm = [app('a', 5, 2, 4, [entry(6, 1)]), app('a', 6, 2, 4, [entry(7)])];
    expect(coalesceAppends(wrongLogTerm, 1 << 20)).toEqual(wrongLogTerm);
    const big = [app('a', 5, 2, 4, [entry(6, 2, 600)]), app('a', 6, 2, 4, [entry(7, 2, 600)])];
    expect(coalesceAppends(big, 1000)).toEqual(big);
  });
});
