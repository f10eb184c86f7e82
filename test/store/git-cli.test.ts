/**
 * The repository is an ordinary git repository: the real git CLI clones and checks it, and
 * isomorphic-git reads it, whatever mix of merged and delta-compressed packs it holds.
 */
import * as fs from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { afterEach, describe, expect, test } from 'vitest';
import { packCountMax } from '../../src/store/constants.js';
import { openStore, type Store } from '../../src/store/index.js';
import { gitCli, makeEntries, randomSplit, tempDir } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function fresh(): Promise<{ store: Store; dir: string; root: string }> {
  const t = await tempDir();
  cleanups.push(t.cleanup);
  const dir = join(t.dir, 'store');
  const store = await openStore(dir, { batchIntervalMs: 0 }); // many small batches, fed in turn
  cleanups.unshift(() => store.close());
  return { store, dir, root: t.dir };
}

const entries = makeEntries(300, 3);

describe('the real git CLI', () => {
  test('git clone (local and over the pack protocol) and git fsck work on a store with merged packs', async () => {
    const { store, dir, root } = await fresh();
    for (const b of randomSplit(entries, 2, 5)) await store.apply(b); // ~85 batches: merges
    const packs = (await readdir(join(dir, 'objects', 'pack'))).filter((f) => f.endsWith('.pack'));
    expect(packs.length).toBeGreaterThan(1);
    expect(packs.length).toBeLessThan(packCountMax); // merged down past packCountMax
    expect(await gitCli(['fsck', '--strict', '--full', '--dangling'], dir)).toBe('');
    expect(await gitCli(['count-objects', '-v'], dir)).toMatch(/garbage: 0/);

    const head = await store.head();
    const local = join(root, 'clone-local');
    await gitCli(['clone', '--quiet', dir, local]);
    expect(await gitCli(['rev-parse', 'HEAD'], local)).toBe(head);
    const wire = join(root, 'clone-wire');
    await gitCli(['clone', '--quiet', '--no-local', `file://${dir}`, wire]);
    expect(await gitCli(['rev-parse', 'HEAD'], wire)).toBe(head);
    expect(await gitCli(['fsck', '--strict', '--full'], wire)).toBe('');
    expect(await gitCli(['rev-list', '--count', 'HEAD'], wire)).toBe(String(store.stats().commitsWritten));

    // The checked-out files are the store's records.
    const [newest] = await store.history({ limit: 1 });
    const files = (await gitCli(['ls-files', `history/*/*/*/${newest!.jobId}/${newest!.attempt}.json`], wire)).split('\n');
    expect(JSON.parse(await readFile(join(wire, files[0]!), 'utf8'))).toEqual(newest);
    for (const p of await store.listPipelines()) {
      expect(await readFile(join(wire, 'pipelines', p.name, 'definition'), 'utf8')).toBe(p.content);
    }
  });

  test('isomorphic-git reads the history the store wrote', async () => {
    const { store, dir } = await fresh();
    await store.apply(entries.slice(0, 80));
    const log = await git.log({ fs, gitdir: dir, ref: 'main' });
    expect(log[0]!.oid).toBe(await store.head());
    expect(log[0]!.commit.author).toMatchObject({ name: 'cairn', email: 'cairn@cluster', timezoneOffset: 0 });
    expect(log.at(-1)!.commit.parent).toEqual([]);
    expect(log[0]!.commit.message).toMatch(new RegExp(`^${store.lastAppliedIndex()}: `));
  });

  test('after a user runs git gc in the store, it opens and goes on identically', async () => {
    const a = await fresh();
    await a.store.apply(entries.slice(0, 150));
    await a.store.close();
    await gitCli(['gc', '--quiet', '--aggressive', '--prune=now'], a.dir); // one new pack, packed-refs
    const reopened = await openStore(a.dir);
    cleanups.unshift(() => reopened.close());
    await reopened.apply(entries.slice(150));

    const b = await fresh();
    await b.store.apply(entries);
    expect(await reopened.head()).toBe(await b.store.head());
    expect(await reopened.history({ limit: 500 })).toEqual(await b.store.history({ limit: 500 }));
    expect(await gitCli(['fsck', '--strict'], a.dir)).toBe('');
  });
});
