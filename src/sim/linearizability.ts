/**
 * A linearizability checker for the simulated key-value history: the Wing & Gong / Lowe (WGL)
 * search as Porcupine implements it, with memoization of (linearized set, state), run per key
 * (the operations are single-key, so the history partitions: P-compositionality).
 *
 * An operation that never returned (its client gave up or its node crashed) has return time
 * Infinity: it may take effect at any point after its call, or never — placing it at the end
 * is the same as never, so the search still demands that every operation be linearized.
 */
import { applyOp, type KvOp, type KvResult } from './kv.js';

export interface HistoryOp {
  client: number;
  op: KvOp;
  /** Logical times (a global event counter), so calls and returns are totally ordered. */
  call: number;
  ret: number;
  /** null when the operation never returned. */
  result: KvResult | null;
}

export type LinearizabilityVerdict = { ok: true } | { ok: false; key: string; reason: string; ops: HistoryOp[] };

/** Search steps per key before giving up (a bound, so a pathological history cannot hang). */
export const linearizabilitySearchStepsMax = 2_000_000;

function resultMatches(actual: KvResult, observed: KvResult | null): boolean {
  if (observed === null) return true;
  if (actual.kind === 'value' && observed.kind === 'value') return actual.value === observed.value;
  if (actual.kind === 'cas' && observed.kind === 'cas') return actual.ok === observed.ok;
  return actual.kind === observed.kind;
}

/** Reads, and compare-and-sets known to have failed, leave the register unchanged. */
function readOnly(h: HistoryOp): boolean {
  return h.op.kind === 'get' ? h.result !== null : h.op.kind === 'cas' && h.result?.kind === 'cas' && !h.result.ok;
}

/**
 * Checks one key's operations; `initial` is the register's starting value. A depth-first
 * search over linearization orders: the next operation may be any not yet linearized whose
 * call precedes every pending return (the WGL rule). Candidates are tried earliest-return
 * first, which finds the order of a correct history almost without backtracking, and states
 * already explored (same set of linearized operations, same register value) are pruned.
 */
export function checkKey(ops: readonly HistoryOp[], initial: string | null = null): { ok: boolean; exhausted: boolean } {
  const n = ops.length;
  if (n === 0) return { ok: true, exhausted: false };
  const done = new Uint8Array(n);
  const bits = new Uint32Array(Math.ceil(n / 32));
  const cache = new Set<string>();
  const candidates = (state: string | null): number[] => {
    let minRet = Infinity;
    for (let j = 0; j < n; j++) if (done[j] === 0 && ops[j]!.ret < minRet) minRet = ops[j]!.ret;
    const c: number[] = [];
    for (let j = 0; j < n; j++) {
      if (done[j] === 0 && ops[j]!.call < minRet) {
        // A read-only candidate that matches the current state can go first without loss of
        // generality: it changes nothing, and being a candidate, no remaining operation must
        // precede it. So it is the only choice worth trying here.
        if (readOnly(ops[j]!) && resultMatches(applyOp(state, ops[j]!.op).result, ops[j]!.result)) return [j];
        c.push(j);
      }
    }
    return c.sort((a, b) => ops[a]!.ret - ops[b]!.ret || ops[a]!.call - ops[b]!.call);
  };
  const mark = (j: number, on: boolean): void => {
    done[j] = on ? 1 : 0;
    if (on) bits[j >> 5]! |= 1 << (j & 31);
    else bits[j >> 5]! &= ~(1 << (j & 31));
  };
  const stack: { cands: number[]; i: number; state: string | null }[] = [{ cands: candidates(initial), i: 0, state: initial }];
  let remaining = n;
  for (let steps = 0; ; steps++) {
    if (steps > linearizabilitySearchStepsMax) return { ok: false, exhausted: true };
    const f = stack[stack.length - 1]!;
    if (f.i >= f.cands.length) {
      // Every choice here failed: undo the choice that led here and try the parent's next.
      stack.pop();
      const parent = stack[stack.length - 1];
      if (parent === undefined) return { ok: false, exhausted: false };
      mark(parent.cands[parent.i]!, false);
      remaining++;
      parent.i++;
      continue;
    }
    const j = f.cands[f.i]!;
    const out = applyOp(f.state, ops[j]!.op);
    if (!resultMatches(out.result, ops[j]!.result)) {
      f.i++;
      continue;
    }
    mark(j, true);
    const key = `${bits.join(',')}|${out.state ?? '\u0000'}`;
    if (cache.has(key)) {
      mark(j, false);
      f.i++;
      continue;
    }
    cache.add(key);
    if (--remaining === 0) return { ok: true, exhausted: false };
    stack.push({ cands: candidates(out.state), i: 0, state: out.state });
  }
}

/** Checks a whole history, key by key. */
export function checkLinearizable(history: readonly HistoryOp[]): LinearizabilityVerdict {
  const byKey = new Map<string, HistoryOp[]>();
  for (const h of history) {
    const list = byKey.get(h.op.key) ?? [];
    list.push(h);
    byKey.set(h.op.key, list);
  }
  for (const [key, ops] of byKey) {
    const { ok, exhausted } = checkKey(ops);
    if (!ok) return { ok: false, key, reason: exhausted ? 'search exhausted its step budget' : 'no linearization exists', ops };
  }
  return { ok: true };
}
