/**
 * A store that is not one, or is damaged, gives a clear STORAGE_CORRUPT error naming the
 * problem; derived data (a pack's index) is rebuilt rather than refused.
 */
import { mkdir, open, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { CairnError } from '../../src/util/errors.js';
import { openStore } from '../../src/store/index.js';
import { gitCli, makeEntries, record, tempDir } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function root(): Promise<string> {
  const t = await tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

/** A closed store holding the first `n` entries. */
async function written(n = 60): Promise<{ dir: string; head: string }> {
  const dir = join(await root(), 'store');
  const s = await openStore(dir);
  await s.apply(makeEntries(n, 2));
  const head = (await s.head())!;
  await s.close();
  return { dir, head };
}

async function openError(dir: string): Promise<CairnError> {
  const err = await openStore(dir).then(async (s) => { await s.close(); return null; }, (e: unknown) => e);
  expect(err).toBeInstanceOf(CairnError);
  expect((err as CairnError).code).toBe('STORAGE_CORRUPT');
  return err as CairnError;
}

async function packFiles(dir: string, ext: string): Promise<string[]> {
  return (await readdir(join(dir, 'objects', 'pack'))).filter((f) => f.endsWith(ext)).map((f) => join(dir, 'objects', 'pack', f));
}

describe('damaged or foreign repositories', () => {
  test('a file where the store should be', async () => {
    const path = join(await root(), 'store');
    await writeFile(path, 'not a repo');
    expect((await openError(path)).message).toMatch(/is a file, not a git repository/);
  });

  test('a directory that is not a git repository', async () => {
    const dir = join(await root(), 'store');
    await mkdir(dir);
    await writeFile(join(dir, 'notes.txt'), 'hello');
    expect((await openError(dir)).message).toMatch(/has no HEAD file/);
  });

  test('a working tree, a repository on another branch, and one cairn did not write', async () => {
    const base = await root();
    const work = join(base, 'work');
    await gitCli(['init', '--quiet', '-b', 'main', work]);
    await writeFile(join(work, 'a.txt'), 'a');
    await gitCli(['add', 'a.txt'], work);
    await gitCli(['-c', 'user.name=u', '-c', 'user.email=u@x', 'commit', '--quiet', '-m', 'hand made'], work);
    expect((await openError(work)).message).toMatch(/working tree/);

    const master = join(base, 'master.git');
    await gitCli(['init', '--quiet', '--bare', '-b', 'master', master]);
    await writeFile(join(master, 'marker'), '');
    expect((await openError(master)).message).toMatch(/not ref: refs\/heads\/main/);

    const foreign = join(base, 'foreign.git');
    await gitCli(['clone', '--quiet', '--bare', work, foreign]);
    expect((await openError(foreign)).message).toMatch(/not written by cairn/);
  });

  test('a ref that holds garbage, or names a missing commit', async () => {
    const { dir } = await written();
    await writeFile(join(dir, 'refs', 'heads', 'main'), 'oops\n');
    expect((await openError(dir)).message).toMatch(/does not hold a commit id/);
    await writeFile(join(dir, 'refs', 'heads', 'main'), `${'1'.repeat(40)}\n`);
    expect((await openError(dir)).message).toMatch(/object 1{40} is missing/);
  });

  test('a truncated pack', async () => {
    const { dir } = await written();
    const [pack] = await packFiles(dir, '.pack');
    await truncate(pack!, 100);
    expect((await openError(dir)).message).toMatch(/pack .* is corrupt/);
  });

  test('a damaged object is reported when it is read', async () => {
    const dir = join(await root(), 'store');
    const s = await openStore(dir);
    cleanups.unshift(() => s.close());
    await s.apply([{ index: 1, term: 1, timeMs: 0, effects: [{ kind: 'history', record: record('victim', 1, 'succeeded', 1000) }] }]);
    await s.apply([{ index: 2, term: 1, timeMs: 0, effects: [{ kind: 'put-config', key: 'k', value: 'x'.repeat(500) }] }]);
    // Damage the compressed bytes of the history record's blob, found with git's own tools.
    const path = (await gitCli(['ls-tree', '-r', '--name-only', 'HEAD', 'history'], dir)).trim();
    const blob = await gitCli(['rev-parse', `HEAD:${path}`], dir);
    let found: { idx: string; line: string } | null = null;
    for (const idx of await packFiles(dir, '.idx')) {
      const line = (await gitCli(['verify-pack', '-v', idx])).split('\n').find((l) => l.startsWith(blob));
      if (line !== undefined) found = { idx, line };
    }
    const [, , , packedSize, offset] = found!.line.split(/\s+/).map(Number);
    const fh = await open(found!.idx.replace(/idx$/, 'pack'), 'r+');
    const at = offset! + packedSize! - 3; // inside the zlib stream's checksum
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, at);
    b[0]! ^= 0xff;
    await fh.write(b, 0, 1, at);
    await fh.close();
    const err = await s.history({ limit: 5, jobId: 'victim' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CairnError);
    expect((err as CairnError).code).toBe('STORAGE_CORRUPT');
    expect((err as CairnError).message).toMatch(/does not inflate|does not match its id/);
  });

  test('a lost or damaged pack index is rebuilt from its pack', async () => {
    const { dir, head } = await written(120);
    const [idx] = await packFiles(dir, '.idx');
    const original = await readFile(idx!);
    await rm(idx!);
    const s = await openStore(dir);
    expect(await s.head()).toBe(head);
    expect((await s.history({ limit: 3 })).length).toBe(3);
    await s.close();
    expect(await readFile(idx!)).toEqual(original);
    await writeFile(idx!, original.subarray(0, 500)); // a torn write after a power cut
    const t = await openStore(dir);
    cleanups.unshift(() => t.close());
    expect(await t.head()).toBe(head);
    expect(await gitCli(['fsck', '--strict'], dir)).toBe('');
  });
});
