/**
 * Property test against a naive oracle: random sequences of appends (with overwrites by a
 * new leader), hard states, received snapshots, local snapshots with compaction, concurrent
 * saves and restarts, on tiny segments so that roll-over and compaction happen constantly.
 * After every restart the recovered log must equal the oracle's.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Entry, HardState, Snapshot } from '../../src/raft/types.js';
import { openWal, type Wal } from '../../src/wal/index.js';
import { entry, snapshot, tempDir } from './helpers.js';

const limits = { segmentBytesMax: 300, recordBytesMax: 100 };

type Op =
  | { kind: 'append'; back: number; count: number; bytes: number }
  | { kind: 'concurrent'; saves: number }
  | { kind: 'hardState'; vote: string | null; sync: boolean }
  | { kind: 'received'; ahead: number }
  | { kind: 'local'; pick: number }
  | { kind: 'reopen' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('append' as const), back: fc.nat(6), count: fc.integer({ min: 1, max: 6 }), bytes: fc.nat(60) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('concurrent' as const), saves: fc.integer({ min: 2, max: 6 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('hardState' as const), vote: fc.constantFrom(null, 'a', 'b', 'ü-node'), sync: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('received' as const), ahead: fc.integer({ min: 1, max: 12 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('local' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'reopen' as const }) },
);

/** The oracle: what a correct log holds. */
interface Model {
  snap: Snapshot | null;
  entries: Entry[];
  hs: HardState;
  term: number;
}

const lastIndex = (m: Model): number => m.entries[m.entries.length - 1]?.index ?? m.snap?.meta.index ?? 0;

let root: string;
let cleanup: () => Promise<void>;
let runs = 0;
beforeAll(async () => ({ dir: root, cleanup } = await tempDir()));
afterAll(() => cleanup());

async function run(ops: Op[]): Promise<void> {
  const dir = join(root, `run-${runs++}`);
  let wal: Wal = (await openWal(dir, limits)).wal;
  const m: Model = { snap: null, entries: [], hs: { term: 0, vote: null, commit: 0 }, term: 1 };
  const check = async (): Promise<void> => {
    await wal.close();
    const opened = await openWal(dir, limits);
    wal = opened.wal;
    expect(opened.recovered.entries).toEqual(m.entries);
    // Recovery raises a commit index below the snapshot to it (the snapshot is committed state).
    expect(opened.recovered.hardState).toEqual({ ...m.hs, commit: Math.max(m.hs.commit, m.snap?.meta.index ?? 0) });
    expect(opened.recovered.snapshot).toEqual(m.snap);
  };
  const append = (from: number, count: number, bytes: number): Entry[] => {
    m.term++;
    const batch = Array.from({ length: count }, (_, i) => entry(from + i, m.term, bytes));
    m.entries = [...m.entries.filter((e) => e.index < from), ...batch];
    return batch;
  };
  for (const o of ops) {
    const floor = (m.snap?.meta.index ?? 0) + 1;
    if (o.kind === 'append') {
      const from = Math.max(floor, lastIndex(m) + 1 - o.back);
      await wal.save(null, append(from, o.count, o.bytes));
    } else if (o.kind === 'concurrent') {
      const saves: Promise<void>[] = [];
      for (let i = 0; i < o.saves; i++) {
        m.hs = { ...m.hs, commit: m.hs.commit + 1 };
        saves.push(wal.save(m.hs, append(lastIndex(m) + 1, 1 + (i % 3), 10)));
      }
      await Promise.all(saves);
    } else if (o.kind === 'hardState') {
      m.hs = { term: m.hs.term + 1, vote: o.vote, commit: m.hs.commit };
      await wal.save(m.hs, [], null, { sync: o.sync });
    } else if (o.kind === 'received') {
      m.term++;
      m.snap = snapshot(floor - 1 + o.ahead, m.term, `received ${m.term}`);
      m.entries = [];
      await wal.save(null, [], m.snap);
    } else if (o.kind === 'local') {
      const at = m.entries[o.pick % Math.max(1, m.entries.length)];
      if (at === undefined) continue;
      m.snap = snapshot(at.index, at.term, `local ${at.index}`);
      m.entries = m.entries.filter((e) => e.index > at.index);
      await wal.saveSnapshot(m.snap);
      await wal.compact(at.index);
    } else {
      await check();
    }
  }
  await check();
  await wal.close();
}

describe('the write-ahead log against an in-memory oracle', () => {
  it('recovers exactly what the oracle holds, after any sequence of operations', async () => {
    await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), run), { numRuns: 60 });
  });
});
