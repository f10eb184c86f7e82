import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { groupCommitSavesMax, openWal, type Wal } from '../../src/wal/index.js';
import { CairnError } from '../../src/util/errors.js';
import { entries, entry, recover, segmentNames, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
let open: Wal[] = [];

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  open = [];
});
afterEach(async () => {
  try {
    for (const w of open) await w.close();
  } finally {
    await cleanup();
  }
});

async function reopen(opts = {}) {
  const r = await openWal(dir, opts);
  open.push(r.wal);
  return r;
}

describe('write-ahead log round trip', () => {
  it('opens an empty directory with an empty log and creates the layout', async () => {
    const { recovered } = await reopen();
    expect(recovered).toEqual({ hardState: { term: 0, vote: null, commit: 0 }, entries: [], snapshot: null, tornTail: null });
    expect(await segmentNames(dir)).toEqual(['0000000000000000-0000000000000001.wal']);
    expect((await stat(join(dir, 'snap'))).isDirectory()).toBe(true);
  });

  it('recovers after a restart exactly what was saved', async () => {
    const { wal } = await reopen();
    await wal.save({ term: 1, vote: 'n1', commit: 0 }, entries(1, 3, 1));
    await wal.save({ term: 2, vote: 'n2', commit: 3 }, [{ index: 4, term: 2, type: 'conf-change', data: new Uint8Array([1, 2, 3]) }]);
    await wal.save(null, entries(5, 6, 2, 0));
    await wal.close();
    open = [];
    const { recovered } = await reopen();
    expect(recovered.hardState).toEqual({ term: 2, vote: 'n2', commit: 3 });
    expect(recovered.entries).toEqual([...entries(1, 3, 1), { index: 4, term: 2, type: 'conf-change', data: new Uint8Array([1, 2, 3]) }, ...entries(5, 6, 2, 0)]);
    expect(recovered.tornTail).toBeNull();
  });

  it('keeps appending after a restart', async () => {
    let { wal } = await reopen();
    await wal.save({ term: 1, vote: null, commit: 0 }, entries(1, 2));
    await wal.close();
    open = [];
    ({ wal } = await reopen());
    await wal.save(null, entries(3, 4));
    const { recovered } = await recover(dir);
    expect(recovered.entries.map((e) => e.index)).toEqual([1, 2, 3, 4]);
  });

  it('honours a truncation by a new leader: later records win (§5.3)', async () => {
    const { wal } = await reopen();
    await wal.save({ term: 1, vote: 'a', commit: 2 }, entries(1, 5, 1));
    // A new leader in term 2 overwrites from index 3.
    await wal.save({ term: 2, vote: 'b', commit: 2 }, entries(3, 4, 2));
    // Then from index 4 again, in term 3, and appends beyond.
    await wal.save({ term: 3, vote: 'c', commit: 2 }, entries(4, 7, 3));
    const { recovered } = await recover(dir);
    expect(recovered.entries).toEqual([...entries(1, 2, 1), entry(3, 2), ...entries(4, 7, 3)]);
    expect(recovered.hardState).toEqual({ term: 3, vote: 'c', commit: 2 });
  });

  it('makes the hard state durable even when a save carries no entries', async () => {
    const { wal } = await reopen();
    await wal.save({ term: 7, vote: 'n3', commit: 0 }, []);
    await wal.save({ term: 8, vote: null, commit: 0 }, []);
    const { recovered } = await recover(dir);
    expect(recovered.hardState).toEqual({ term: 8, vote: null, commit: 0 });
    expect(recovered.entries).toEqual([]);
  });

  it('resolves an empty save at once without touching the disk', async () => {
    const { wal } = await reopen();
    await wal.save(null, []);
    expect(wal.stats()).toMatchObject({ saves: 0, fsyncs: 0 });
  });

  it('shares one fsync among concurrent saves (group commit)', async () => {
    const { wal } = await reopen();
    const saves = [];
    for (let i = 1; i <= 64; i++) saves.push(wal.save({ term: 1, vote: 'a', commit: i - 1 }, [entry(i)]));
    await Promise.all(saves);
    // The first save flushes alone; the 63 queued behind it share the next fsync.
    expect(wal.stats().fsyncs).toBeLessThanOrEqual(2);
    expect(wal.stats().saves).toBe(64);
    const { recovered } = await recover(dir);
    expect(recovered.entries).toEqual(entries(1, 64));
    expect(recovered.hardState.commit).toBe(63);
  });

  it('writes a save with { sync: false } without an fsync; the next synced save covers it', async () => {
    const { wal } = await reopen();
    await wal.save({ term: 1, vote: 'a', commit: 0 }, entries(1, 2));
    const before = wal.stats().fsyncs;
    await wal.save({ term: 1, vote: 'a', commit: 2 }, [], null, { sync: false });
    expect(wal.stats().fsyncs).toBe(before);
    await wal.save(null, [entry(3)]);
    expect(wal.stats().fsyncs).toBe(before + 1);
    const { recovered } = await recover(dir);
    expect(recovered.hardState.commit).toBe(2);
    expect(recovered.entries.length).toBe(3);
  });

  it('rolls over to a new segment past segmentBytesMax, each starting with the hard state', async () => {
    const { wal } = await reopen({ segmentBytesMax: 1024, recordBytesMax: 256 });
    for (let i = 1; i <= 60; i++) await wal.save({ term: 1, vote: 'a', commit: i }, [entry(i)]);
    const names = await segmentNames(dir);
    expect(names.length).toBeGreaterThan(3);
    for (const n of names) expect((await stat(join(dir, 'wal', n))).size).toBeLessThanOrEqual(1024);
    // Names carry the sequence and the first index of the segment.
    expect(names[1]).toMatch(/^0000000000000001-00000000000000\d\d\.wal$/);
    const second = await readFile(join(dir, 'wal', names[1] ?? ''));
    expect(second.readUInt8(4)).toBe(2); // first record is a hard state
    const { recovered } = await recover(dir, { segmentBytesMax: 1024, recordBytesMax: 256 });
    expect(recovered.entries).toEqual(entries(1, 60));
    expect(recovered.hardState.commit).toBe(60);
  });

  it('refuses a record over recordBytesMax with a clear error and writes nothing', async () => {
    const { wal } = await reopen({ segmentBytesMax: 4096, recordBytesMax: 100 });
    await wal.save(null, [entry(1, 1, 83)]); // 17 + 83 = 100 bytes: exactly the limit
    const err = await wal.save(null, [entry(2, 1, 84)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CairnError);
    expect((err as CairnError).code).toBe('PAYLOAD_TOO_LARGE');
    expect((err as CairnError).message).toContain('recordBytesMax = 100');
    expect((err as CairnError).data).toMatchObject({ index: 2, bytes: 101, limit: 100 });
    // The log is still usable.
    await wal.save(null, [entry(2, 1, 10)]);
    const { recovered } = await recover(dir, { segmentBytesMax: 4096, recordBytesMax: 100 });
    expect(recovered.entries.map((e) => e.index)).toEqual([1, 2]);
  });

  it('close() writes every save still queued, even beyond one flush (groupCommitSavesMax)', async () => {
    const { wal } = await openWal(dir);
    const count = groupCommitSavesMax + 100;
    const saves = [];
    for (let i = 1; i <= count; i++) saves.push(wal.save(null, [entry(i, 1, 4)]));
    await wal.close();
    await Promise.all(saves);
    expect(wal.stats().fsyncs).toBeGreaterThanOrEqual(2);
    const { recovered } = await recover(dir);
    expect(recovered.entries.length).toBe(count);
  });

  it('rejects saves after close()', async () => {
    const { wal } = await reopen();
    await wal.close();
    open = [];
    await expect(wal.save(null, [entry(1)])).rejects.toThrow(/after close/);
  });
});
