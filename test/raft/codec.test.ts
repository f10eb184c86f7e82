import { describe, expect, it } from 'vitest';
import { CairnError } from '../../src/util/errors.js';
import { decodeConfChange, decodeMessage, encodeConfChange, encodeMessage, messageTypes, type Message } from '../../src/raft/index.js';

const data = (s: string): Uint8Array => new TextEncoder().encode(s);
const h = { from: 'alpha', to: 'βeta', term: 2 ** 40 + 3 };

const samples: Message[] = [
  { ...h, type: 'app', index: 7, logTerm: 3, commit: 5, entries: [{ term: 3, index: 8, type: 'normal', data: data('x') }, { term: 3, index: 9, type: 'conf-change', data: new Uint8Array(0) }] },
  { ...h, type: 'app-resp', index: 9, reject: true, rejectHint: 4, logTerm: 2 },
  { ...h, type: 'vote', index: 9, logTerm: 3, transfer: true },
  { ...h, type: 'pre-vote', index: 9, logTerm: 3 },
  { ...h, type: 'vote-resp', reject: false },
  { ...h, type: 'pre-vote-resp', reject: true },
  { ...h, type: 'heartbeat', commit: 4, context: data('ctx') },
  { ...h, type: 'heartbeat-resp', context: null },
  { ...h, type: 'snap', snapshot: { meta: { index: 10, term: 3, conf: { voters: ['a', 'b'], learners: ['c'] } }, data: data('state') } },
  { ...h, type: 'timeout-now' },
  { ...h, term: 0, type: 'prop', entries: [{ term: 0, index: 0, type: 'normal', data: data('p') }] },
  { ...h, term: 0, type: 'transfer-leader', transferee: 'gamma' },
  { ...h, term: 0, type: 'read-index', context: data('r1') },
  { ...h, type: 'read-index-resp', index: 12, context: data('r1') },
];

describe('raft wire codec', () => {
  it('has a sample of every message kind', () => {
    expect(new Set(samples.map((m) => m.type))).toEqual(new Set(messageTypes));
  });

  it.each(samples.map((m) => [m.type, m] as const))('round-trips %s', (_kind, m) => {
    expect(decodeMessage(encodeMessage(m))).toEqual(m);
  });

  it('does not copy entry data on decode', () => {
    const bytes = encodeMessage(samples[0]!);
    const m = decodeMessage(bytes);
    if (m.type !== 'app') throw new Error('wrong kind');
    expect(m.entries[0]!.data.buffer).toBe(bytes.buffer);
  });

  it('rejects truncated, trailing and unknown input with INVALID_INPUT', () => {
    const bytes = encodeMessage(samples[0]!);
    for (const bad of [bytes.subarray(0, bytes.length - 1), new Uint8Array([...bytes, 0]), new Uint8Array([1, 99]), new Uint8Array([9, 1])]) {
      expect(() => decodeMessage(bad)).toThrow(CairnError);
    }
  });

  it('round-trips conf changes', () => {
    for (const type of ['add-voter', 'add-learner', 'promote-learner', 'remove'] as const) {
      expect(decodeConfChange(encodeConfChange({ type, node: 'n9' }))).toEqual({ type, node: 'n9' });
    }
    expect(() => decodeConfChange(new Uint8Array([7, 0]))).toThrow(CairnError);
  });
});
