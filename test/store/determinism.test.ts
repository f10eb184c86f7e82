/**
 * The SPEC.md guarantee "after the same committed point, every node's history repository has
 * the same HEAD commit": commit boundaries follow the log entries, never the batching.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, test } from 'vitest';
import { batchIntervalMsMin } from '../../src/store/constants.js';
import { openStore, type Store, type StoreEntry, type StoreInit } from '../../src/store/index.js';
import { gitCli, makeEntries, randomSplit, tempDir } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A store that writes each batch at once: these tests feed many small batches in turn. */
async function freshStore(init: StoreInit = { batchIntervalMs: 0 }): Promise<{ store: Store; dir: string }> {
  const t = await tempDir();
  cleanups.push(t.cleanup);
  const dir = join(t.dir, 'store');
  const store = await openStore(dir, init);
  cleanups.unshift(() => store.close());
  return { store, dir };
}

async function feed(store: Store, batches: readonly StoreEntry[][]): Promise<void> {
  for (const b of batches) await store.apply(b);
}

const entries = makeEntries(300, 7);

describe('deterministic commits', () => {
  test('one-by-one, random batches and one batch give the same HEAD and the same git log', async () => {
    const a = await freshStore();
    const b = await freshStore();
    const c = await freshStore();
    await feed(a.store, entries.map((e) => [e]));
    await feed(b.store, randomSplit(entries, 3, 40));
    await c.store.apply(entries);
    const head = await a.store.head();
    expect(head).toMatch(/^[0-9a-f]{40}$/);
    expect(await b.store.head()).toBe(head);
    expect(await c.store.head()).toBe(head);
    const log = await gitCli(['log', '--format=raw', '--raw', '--no-abbrev'], a.dir);
    expect(await gitCli(['log', '--format=raw', '--raw', '--no-abbrev'], b.dir)).toBe(log);
    expect(await gitCli(['log', '--format=raw', '--raw', '--no-abbrev'], c.dir)).toBe(log);
    // The three repositories were written with different pack layouts, yet hold the same commits.
    expect(a.store.stats().packs).toBeGreaterThan(0);
  });

  test('random splits of a log all reach the same HEAD (property, seeded)', async () => {
    const log = makeEntries(60, 11);
    const ref = await freshStore();
    await ref.store.apply(log);
    const want = await ref.store.head();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 1, max: 20 }), async (seed, max) => {
        const s = await freshStore();
        await feed(s.store, randomSplit(log, seed, max));
        return (await s.store.head()) === want && s.store.lastAppliedIndex() === ref.store.lastAppliedIndex();
      }),
      { numRuns: 8, seed: Number(process.env['SEED'] ?? 42) },
    );
  });

  test('commits follow the rule: fixed identity, log time, index message, one per changing entry', async () => {
    const { store, dir } = await freshStore();
    const log: StoreEntry[] = [
      { index: 5, term: 2, timeMs: 1_700_000_000_999, effects: [{ kind: 'put-config', key: 'cluster', value: { voters: 5 } }] },
      { index: 6, term: 2, timeMs: 1_700_000_001_000, effects: [] },
      { index: 7, term: 2, timeMs: 1_700_000_002_000, effects: [{ kind: 'remove-pipeline', name: 'absent' }] },
      { index: 8, term: 3, timeMs: 1_700_000_003_500, effects: [
        { kind: 'put-pipeline', name: 'build', content: 'jobs: {}\n' },
        { kind: 'put-config', key: 'aliases', value: { big: ['cpu>8'] } },
      ] },
      { index: 9, term: 3, timeMs: 1_700_000_004_000, effects: [
        { kind: 'put-config', key: 'tmp', value: 1 },
        { kind: 'remove-config', key: 'tmp' },
      ] },
    ];
    await store.apply(log);
    const raw = await gitCli(['log', '--format=raw'], dir);
    const commits = raw.split(/^commit /m).filter(Boolean);
    expect(commits).toHaveLength(2); // entries 6, 7 and 9 change nothing
    expect(commits[0]).toContain('author cairn <cairn@cluster> 1700000003 +0000');
    expect(commits[0]).toContain('committer cairn <cairn@cluster> 1700000003 +0000');
    expect(commits[0]).toContain('    8: pipeline build registered (+1 more)\n    \n    pipeline build registered\n    config aliases set\n    \n    Raft-Term: 3');
    expect(commits[1]).toContain('author cairn <cairn@cluster> 1700000000 +0000');
    expect(commits[1]).toContain('    5: config cluster set\n    \n    Raft-Term: 2');
    expect(commits[1]).not.toContain('parent ');
    expect(store.lastAppliedIndex()).toBe(8);
    expect(await gitCli(['ls-tree', '-r', '--name-only', 'HEAD'], dir)).toBe(
      ['config/aliases.json', 'config/cluster.json', 'pipelines/build/definition', 'pipelines/build/source.json'].join('\n'),
    );
    expect(await gitCli(['show', 'HEAD:config/aliases.json'], dir)).toBe('{\n  "big": [\n    "cpu>8"\n  ]\n}');
  });

  test('calls made without waiting run one at a time, in call order', async () => {
    const ref = await freshStore();
    await ref.store.apply(entries.slice(0, 200));
    const { store } = await freshStore();
    const pending = [
      store.apply(entries.slice(0, 100)),
      store.history({ limit: 1000 }),
      store.apply(entries.slice(100, 200)),
      store.head(),
    ] as const;
    const [, early, , head] = await Promise.all(pending);
    expect(head).toBe(await ref.store.head());
    const afterFirst = await freshStore();
    await afterFirst.store.apply(entries.slice(0, 100));
    expect(early).toEqual(await afterFirst.store.history({ limit: 1000 }));
  });

  test('calls made while a batch is written are grouped into one pack (group commit); a refused call fails alone', async () => {
    const ref = await freshStore();
    await ref.store.apply(entries.slice(0, 120));
    const { store } = await freshStore();
    const bad = { index: 1000, term: 1, timeMs: 0, effects: [{ kind: 'put-config' as const, key: '../x', value: 1 }] };
    const calls = entries.slice(0, 120).map((e) => store.apply([e]));
    const refused = store.apply([bad]).then(() => null, (err: unknown) => err);
    await Promise.all(calls);
    expect(await refused).toMatchObject({ code: 'INVALID_INPUT' });
    expect(await store.head()).toBe(await ref.store.head());
    expect(store.stats().packs).toBeLessThanOrEqual(2); // the first call alone, then the other 119 together
  });

  test('calls that trickle in share batches: one starts no sooner than the interval after the one before', async () => {
    const ref = await freshStore();
    await ref.store.apply(entries.slice(0, 60));
    const { store } = await freshStore({});
    const started = performance.now();
    const calls: Array<Promise<void>> = [];
    for (const e of entries.slice(0, 60)) {
      calls.push(store.apply([e]));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await Promise.all(calls);
    const elapsedMs = performance.now() - started;
    expect(await store.head()).toBe(await ref.store.head());
    expect(store.stats().batchesWritten).toBeLessThanOrEqual(Math.ceil(elapsedMs / batchIntervalMsMin) + 1);
    expect(store.stats().batchesWritten).toBeLessThan(60);
  });

  test('the repository is bare, on branch main, and its first commit has no parent', async () => {
    const { store, dir } = await freshStore();
    expect(await store.head()).toBeNull();
    expect(store.lastAppliedIndex()).toBe(0);
    await store.apply(entries.slice(0, 20));
    expect(await gitCli(['rev-parse', '--is-bare-repository'], dir)).toBe('true');
    expect(await gitCli(['symbolic-ref', 'HEAD'], dir)).toBe('refs/heads/main');
    const roots = await gitCli(['rev-list', '--max-parents=0', 'HEAD'], dir);
    expect(roots.split('\n')).toHaveLength(1);
  });
});
