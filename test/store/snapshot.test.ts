/**
 * Snapshots for Raft log compaction: a node that installs another's snapshot gets the same
 * HEAD and history, and from there the same log gives the same commits.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { writeHead } from '../../src/store/head-ref.js';
import { openStore, type Store } from '../../src/store/index.js';
import { ObjectDb } from '../../src/store/object-db.js';
import { decodeSnapshot } from '../../src/store/snapshot-format.js';
import { gitCli, makeEntries, randomSplit, tempDir } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function fresh(): Promise<{ store: Store; dir: string }> {
  const t = await tempDir();
  cleanups.push(t.cleanup);
  const dir = join(t.dir, 'store');
  const store = await openStore(dir, { batchIntervalMs: 0 }); // many small batches, fed in turn
  cleanups.unshift(() => store.close());
  return { store, dir };
}

const entries = makeEntries(400, 5);

describe('snapshots', () => {
  test('an installed snapshot reproduces HEAD, history, pipelines and config, and later applies agree', async () => {
    const src = await fresh();
    for (const b of randomSplit(entries.slice(0, 250), 9, 30)) await src.store.apply(b); // several packs
    expect(src.store.stats().packs).toBeGreaterThan(1);
    const bytes = await src.store.exportSnapshot();

    const dst = await fresh();
    await dst.store.apply(makeEntries(40, 99)); // something else, to be replaced
    await dst.store.importSnapshot(bytes);
    expect(await dst.store.head()).toBe(await src.store.head());
    expect(dst.store.lastAppliedIndex()).toBe(src.store.lastAppliedIndex());
    expect(await dst.store.history({ limit: 1000 })).toEqual(await src.store.history({ limit: 1000 }));
    expect(await dst.store.listPipelines()).toEqual(await src.store.listPipelines());
    expect(await dst.store.getConfig()).toEqual(await src.store.getConfig());
    expect(dst.store.stats().packs).toBe(1);
    expect(await gitCli(['fsck', '--strict', '--dangling'], dst.dir)).toBe('');
    expect(await gitCli(['log', '--format=raw'], dst.dir)).toBe(await gitCli(['log', '--format=raw'], src.dir));

    await src.store.apply(entries.slice(250));
    for (const e of entries.slice(200)) await dst.store.apply([e]); // replays 200..250, then new ones
    expect(await dst.store.head()).toBe(await src.store.head());

    // And the snapshot survives a restart of the node that installed it.
    await dst.store.close();
    const again = await openStore(dst.dir);
    cleanups.unshift(() => again.close());
    expect(await again.head()).toBe(await src.store.head());
  });

  test('an import cut short after the ref moved is finished on reopen', async () => {
    const src = await fresh();
    await src.store.apply(entries.slice(0, 80));
    const bytes = await src.store.exportSnapshot();
    const dst = await fresh();
    for (const b of randomSplit(entries.slice(0, 40), 2, 10)) await dst.store.apply(b);
    const oldPacks = dst.store.stats().packs;
    expect(oldPacks).toBeGreaterThan(1);
    // Install the pack and move the ref by hand, as importSnapshot does, then "crash" before
    // the old packs go: the marker still names the imported pack.
    await dst.store.close();
    const snap = decodeSnapshot(bytes);
    const db = await ObjectDb.open(dst.dir);
    await db.installPack(snap.pack, snap.idx);
    await writeHead(dst.dir, snap.head!);
    expect(db.stats().packs).toBe(oldPacks + 1);
    await db.close();
    const reopened = await openStore(dst.dir);
    cleanups.unshift(() => reopened.close());
    expect(await reopened.head()).toBe(await src.store.head());
    expect(reopened.stats().packs).toBe(1);
    expect((await reopened.exportSnapshot()).length).toBe(bytes.length);
  });

  test('an empty store exports a snapshot that empties another store', async () => {
    const empty = await fresh();
    const full = await fresh();
    await full.store.apply(entries.slice(0, 30));
    await full.store.importSnapshot(await empty.store.exportSnapshot());
    expect(await full.store.head()).toBeNull();
    expect(full.store.lastAppliedIndex()).toBe(0);
    expect(await full.store.history({ limit: 5 })).toEqual([]);
    await full.store.apply(entries.slice(0, 30));
    await empty.store.apply(entries.slice(0, 30));
    expect(await full.store.head()).toBe(await empty.store.head());
  });

  test('a damaged snapshot is refused and leaves the store as it was', async () => {
    const src = await fresh();
    await src.store.apply(entries.slice(0, 60));
    const good = await src.store.exportSnapshot();
    const dst = await fresh();
    await dst.store.apply(entries.slice(0, 10));
    const before = await dst.store.head();

    const truncated = good.subarray(0, good.length - 7);
    await expect(dst.store.importSnapshot(truncated)).rejects.toMatchObject({ code: 'STORAGE_CORRUPT' });
    const flipped = Uint8Array.from(good);
    flipped[flipped.length - 200]! ^= 0xff; // inside the pack
    await expect(dst.store.importSnapshot(flipped)).rejects.toMatchObject({ code: 'STORAGE_CORRUPT' });
    await expect(dst.store.importSnapshot(new TextEncoder().encode('hello'))).rejects.toThrow(/CAIRNSS1/);

    expect(await dst.store.head()).toBe(before);
    expect(await gitCli(['fsck', '--strict', '--dangling'], dst.dir)).toBe('');
    await dst.store.importSnapshot(good);
    expect(await dst.store.head()).toBe(await src.store.head());
  });
});
