/** I/O failures poison the log, and the front door exports exactly the public API. */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CairnError } from '../../src/util/errors.js';
import * as walApi from '../../src/wal/index.js';
import { entries, entry, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

describe('an I/O error', () => {
  it('fails the save with STORAGE_FAILED and every later call, without retrying', async () => {
    const { wal } = await walApi.openWal(dir, { segmentBytesMax: 512, recordBytesMax: 128 });
    await wal.save(null, entries(1, 3));
    // The directory vanishes: the next roll-over cannot create its segment.
    await rm(join(dir, 'wal'), { recursive: true });
    const saves = [];
    for (let i = 4; i <= 30; i++) saves.push(wal.save(null, [entry(i)]));
    const results = await Promise.allSettled(saves);
    const failed = results.filter((r) => r.status === 'rejected');
    expect(failed.length).toBeGreaterThan(0);
    const err = (failed[0] as PromiseRejectedResult).reason as CairnError;
    expect(err).toBeInstanceOf(CairnError);
    expect(err.code).toBe('STORAGE_FAILED');
    expect(err.data).toMatchObject({ errno: 'ENOENT' });
    await expect(wal.save(null, [entry(31)])).rejects.toBe(err);
    await expect(wal.compact(0)).rejects.toBe(err);
    await wal.close();
  });
});

describe('src/wal front door', () => {
  it('exports exactly the public API', () => {
    expect(Object.keys(walApi).sort()).toEqual(['groupCommitSavesMax', 'openWal', 'recordBytesMax', 'restoreStorage', 'segmentBytesMax', 'snapshotBytesMax']);
  });
});
