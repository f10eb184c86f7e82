/** Snapshots: atomic files, the log reset by a received snapshot, compaction of old segments. */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CairnError } from '../../src/util/errors.js';
import { openWal } from '../../src/wal/index.js';
import { entries, recover, segmentNames, snapshot, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

const small = { segmentBytesMax: 512, recordBytesMax: 128 };
const snapFiles = async (): Promise<string[]> => (await readdir(join(dir, 'snap'))).sort();

describe('snapshots', () => {
  it('a snapshot the node took is recovered, and entries after it are kept', async () => {
    const { wal } = await openWal(dir);
    await wal.save({ term: 2, vote: 'a', commit: 10 }, entries(1, 10, 2));
    await wal.saveSnapshot(snapshot(6, 2, 'six'));
    await wal.close();
    const { recovered } = await recover(dir);
    expect(recovered.snapshot).toEqual(snapshot(6, 2, 'six'));
    expect(recovered.entries).toEqual(entries(7, 10, 2));
    expect(recovered.hardState).toEqual({ term: 2, vote: 'a', commit: 10 });
    expect(await snapFiles()).toEqual(['0000000000000006-0000000000000002.snap']);
  });

  it('a snapshot received from the leader replaces the whole log, even a longer one', async () => {
    const { wal } = await openWal(dir);
    await wal.save({ term: 1, vote: 'a', commit: 3 }, entries(1, 20, 1));
    // The leader (term 3) sends a snapshot at 15 that conflicts with our entries 1..20.
    await wal.save({ term: 3, vote: null, commit: 15 }, [], snapshot(15, 3));
    await wal.save(null, entries(16, 17, 3));
    await wal.close();
    const { recovered } = await recover(dir);
    expect(recovered.snapshot?.meta.index).toBe(15);
    expect(recovered.entries).toEqual(entries(16, 17, 3));
    expect(recovered.hardState).toEqual({ term: 3, vote: null, commit: 15 });
  });

  it('a received snapshot and the entries after it in one save are recovered together', async () => {
    const { wal } = await openWal(dir);
    await wal.save({ term: 1, vote: null, commit: 0 }, entries(1, 3, 1));
    await wal.save({ term: 4, vote: null, commit: 30 }, entries(31, 32, 4), snapshot(30, 4));
    await wal.close();
    const { recovered } = await recover(dir);
    expect(recovered.snapshot?.meta).toEqual(snapshot(30, 4).meta);
    expect(recovered.entries).toEqual(entries(31, 32, 4));
  });

  it('ignores and removes a leftover temporary file (a crash before the rename)', async () => {
    const { wal } = await openWal(dir);
    await wal.save(null, entries(1, 5));
    await wal.saveSnapshot(snapshot(3, 1, 'old'));
    await wal.close();
    // A newer snapshot was being written when the node crashed: half a file, never renamed.
    await writeFile(join(dir, 'snap', '0000000000000005-0000000000000001.snap.tmp'), 'half a snap');
    const { recovered } = await recover(dir);
    expect(recovered.snapshot).toEqual(snapshot(3, 1, 'old'));
    expect(recovered.entries).toEqual(entries(4, 5));
    expect(await snapFiles()).toEqual(['0000000000000003-0000000000000001.snap']);
  });

  it('recovers from a crash between the rename and the pruning of older snapshots and segments', async () => {
    const { wal } = await openWal(dir, small);
    for (let i = 1; i <= 40; i += 4) await wal.save({ term: 1, vote: 'a', commit: i + 3 }, entries(i, i + 3));
    await wal.saveSnapshot(snapshot(10, 1, 'ten'));
    await wal.saveSnapshot(snapshot(30, 1, 'thirty'));
    // Crash here: compact() never ran, both snapshots and every segment are still on disk.
    await wal.close();
    expect((await snapFiles()).length).toBe(2);
    const { recovered } = await recover(dir, small);
    expect(recovered.snapshot).toEqual(snapshot(30, 1, 'thirty'));
    expect(recovered.entries).toEqual(entries(31, 40));
    expect(await snapFiles()).toEqual(['0000000000000030-0000000000000001.snap']);
  });

  it('raises a recovered commit index that lags the snapshot (a lazily synced hard state was lost)', async () => {
    const { wal } = await openWal(dir);
    await wal.save({ term: 2, vote: 'a', commit: 3 }, entries(1, 10, 2));
    await wal.saveSnapshot(snapshot(8, 2));
    await wal.close();
    const { recovered } = await recover(dir);
    expect(recovered.hardState).toEqual({ term: 2, vote: 'a', commit: 8 });
  });

  it('refuses a damaged snapshot file (it was renamed whole, so damage is not a torn write)', async () => {
    const { wal } = await openWal(dir);
    await wal.save(null, entries(1, 5));
    await wal.saveSnapshot(snapshot(4, 1, 'four'));
    await wal.close();
    const path = join(dir, 'snap', '0000000000000004-0000000000000001.snap');
    const bytes = await readFile(path);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    await writeFile(path, bytes);
    const err = await openWal(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CairnError);
    expect(err).toMatchObject({ code: 'STORAGE_CORRUPT', data: { file: path, offset: 0 } });
  });
});

describe('compaction', () => {
  it('deletes whole segments below the snapshot, keeps the rest and the hard state', async () => {
    const { wal } = await openWal(dir, small);
    for (let i = 1; i <= 60; i += 3) await wal.save({ term: 5, vote: 'b', commit: i + 2 }, entries(i, i + 2, 5));
    const before = await segmentNames(dir);
    expect(before.length).toBeGreaterThan(4);
    await wal.saveSnapshot(snapshot(45, 5, 'fortyfive'));
    const result = await wal.compact(45);
    expect(result.segmentsRemoved).toBeGreaterThan(0);
    const after = await segmentNames(dir);
    expect(after).toEqual(before.slice(result.segmentsRemoved));
    await wal.save(null, entries(61, 62, 5));
    await wal.close();
    const { recovered } = await recover(dir, small);
    expect(recovered.snapshot?.meta.index).toBe(45);
    expect(recovered.entries).toEqual(entries(46, 62, 5));
    expect(recovered.hardState).toEqual({ term: 5, vote: 'b', commit: 60 });
  });

  it('keeps a segment whose entries were overwritten above the snapshot', async () => {
    const { wal } = await openWal(dir, small);
    for (let i = 1; i <= 30; i++) await wal.save(null, entries(i, i, 1));
    // A new leader overwrites from 20, then the log grows again in term 2.
    for (let i = 20; i <= 50; i++) await wal.save(null, entries(i, i, 2));
    await wal.saveSnapshot(snapshot(25, 2));
    await wal.compact(25);
    await wal.close();
    const { recovered } = await recover(dir, small);
    expect(recovered.entries).toEqual(entries(26, 50, 2));
  });

  it('removes older snapshot files and refuses to compact past the newest snapshot', async () => {
    const { wal } = await openWal(dir, small);
    await wal.save(null, entries(1, 30));
    await wal.saveSnapshot(snapshot(10, 1));
    await wal.saveSnapshot(snapshot(20, 1));
    await expect(wal.compact(25)).rejects.toThrow(/without a durable snapshot/);
    expect(await wal.compact(20)).toMatchObject({ snapshotsRemoved: 1 });
    expect(await snapFiles()).toEqual(['0000000000000020-0000000000000001.snap']);
    await wal.close();
  });
});
