import { describe, expect, it } from 'vitest';
import type { KvOp, KvResult } from '../../src/sim/kv.js';
import { checkKey, checkLinearizable, type HistoryOp } from '../../src/sim/linearizability.js';

const put = (v: string): KvOp => ({ kind: 'put', key: 'k', value: v });
const get: KvOp = { kind: 'get', key: 'k' };
const cas = (expected: string | null, v: string): KvOp => ({ kind: 'cas', key: 'k', expected, value: v });
const ok: KvResult = { kind: 'ok' };
const val = (v: string | null): KvResult => ({ kind: 'value', value: v });
const casRes = (b: boolean): KvResult => ({ kind: 'cas', ok: b });

function op(client: number, o: KvOp, call: number, ret: number, result: KvResult | null): HistoryOp {
  return { client, op: o, call, ret, result };
}

describe('WGL linearizability checker', () => {
  it.each([
    ['sequential put then get', [op(0, put('a'), 1, 2, ok), op(1, get, 3, 4, val('a'))], true],
    ['a read after a completed write must see it', [op(0, put('a'), 1, 2, ok), op(1, get, 3, 4, val(null))], false],
    ['a read overlapping a write may see either', [op(0, put('a'), 1, 4, ok), op(1, get, 2, 3, val(null)), op(2, get, 2, 5, val('a'))], true],
    ['reads cannot go back in time', [op(0, put('a'), 1, 10, ok), op(1, get, 2, 3, val('a')), op(2, get, 4, 5, val(null))], false],
    ['a never-returned write may take effect late', [op(0, put('a'), 1, Infinity, null), op(1, get, 2, 3, val(null)), op(1, get, 4, 5, val('a'))], true],
    ['or never', [op(0, put('a'), 1, Infinity, null), op(1, get, 2, 3, val(null))], true],
    ['cas succeeds only on the expected value', [op(0, put('a'), 1, 2, ok), op(1, cas('b', 'c'), 3, 4, casRes(true))], false],
    ['concurrent cas: exactly one wins', [op(0, cas(null, 'x'), 1, 5, casRes(true)), op(1, cas(null, 'y'), 2, 6, casRes(true))], false],
    ['concurrent cas: one wins, one fails', [op(0, cas(null, 'x'), 1, 5, casRes(true)), op(1, cas(null, 'y'), 2, 6, casRes(false)), op(2, get, 7, 8, val('x'))], true],
  ] as const)('%s', (_name, history, linearizable) => {
    expect(checkKey(history).ok).toBe(linearizable);
  });

  it('handles a long burst of concurrent writes with interleaved reads quickly', () => {
    // 200 overlapping writes applied in order, reads seeing each intermediate value.
    const h: HistoryOp[] = [];
    for (let i = 0; i < 200; i++) h.push(op(i, put(`v${i}`), i, 1000 + 2 * i, ok));
    for (let i = 0; i < 200; i++) h.push(op(1000 + i, get, 1000 + 2 * i + 0.5, 1000 + 2 * i + 1, val(`v${i}`)));
    const r = checkKey(h);
    expect(r).toEqual({ ok: true, exhausted: false });
  });

  it('partitions by key', () => {
    const a = op(0, { kind: 'put', key: 'a', value: '1' }, 1, 2, ok);
    const b = op(1, { kind: 'get', key: 'b' }, 3, 4, val('1'));
    const v = checkLinearizable([a, b]);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.key).toBe('b');
  });
});
