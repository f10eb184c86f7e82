/**
 * Restarts and crashes: a replay after a restart is a no-op, and a batch cut short at any
 * point (killed process, failed ref write) leaves a consistent HEAD; applying the batch again
 * reaches the same HEAD as a store that never crashed.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Readable } from 'node:stream';
import { afterEach, describe, expect, test } from 'vitest';
import { openStore, type Store } from '../../src/store/index.js';
import { gitCli, makeEntries, tempDir } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function dirFor(): Promise<string> {
  const t = await tempDir();
  cleanups.push(t.cleanup);
  return join(t.dir, 'store');
}

async function opened(dir: string, init = {}): Promise<Store> {
  const s = await openStore(dir, init);
  cleanups.unshift(() => s.close());
  return s;
}

const entries = makeEntries(300, 7);
const crashChild = join(import.meta.dirname, 'fixtures', 'crash-child.ts');

/** HEAD of a store that applied `entries[0..n)` without any trouble. */
async function referenceHead(n: number): Promise<string | null> {
  const s = await opened(await dirFor());
  await s.apply(entries.slice(0, n));
  return s.head();
}

/** Resolves with the child's stdout once `line` appears in it, or rejects after `ms`. */
function waitForLine(child: { stdout: Readable | null }, line: RegExp, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`child never printed ${line}; stdout: ${seen}`)), ms);
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (line.test(seen)) {
        clearTimeout(timer);
        resolve(seen);
      }
    });
  });
}

describe('restart and crash recovery', () => {
  test('replaying entries after close and reopen changes nothing', async () => {
    const dir = await dirFor();
    const a = await openStore(dir);
    await a.apply(entries.slice(0, 150));
    const mid = await a.head();
    const midIndex = a.lastAppliedIndex();
    await a.close();
    const b = await opened(dir);
    expect(await b.head()).toBe(mid);
    expect(b.lastAppliedIndex()).toBe(midIndex);
    await b.apply(entries.slice(0, 150)); // a full replay
    expect(await b.head()).toBe(mid);
    await b.apply(entries.slice(100)); // overlapping replay, then new entries
    expect(await b.head()).toBe(await referenceHead(300));
    expect(b.stats().commitsWritten).toBeGreaterThan(0);
  });

  test('a batch that fails after its pack is written is retried to the same HEAD', async () => {
    const dir = await dirFor();
    let fail = true;
    const s = await opened(dir, { afterPackWrite: async () => { if (fail) throw new Error('injected crash'); } });
    fail = false;
    await s.apply(entries.slice(0, 100));
    const before = await s.head();
    fail = true;
    await expect(s.apply(entries.slice(100, 200))).rejects.toThrow('injected crash');
    expect(await s.head()).toBe(before);
    expect(s.lastAppliedIndex()).toBe(100);
    expect((await s.history({ limit: 1 }))[0]?.jobId).toBeDefined();
    fail = false;
    await s.apply(entries.slice(100));
    expect(await s.head()).toBe(await referenceHead(300));
  });

  test('a process killed between pack and ref recovers on reopen (no dangling objects) and catches up', async () => {
    const dir = await dirFor();
    const child = execa(process.execPath, ['--import', 'tsx', crashChild, dir, '4'], { reject: false });
    cleanups.unshift(async () => { child.kill('SIGKILL'); await child; }); // never outlives the test
    await waitForLine(child, /packed/, 60_000);
    child.kill('SIGKILL');
    const result = await child;
    expect(result.signal).toBe('SIGKILL');
    // The crashed batch's pack and the ref's lock (naming the commit in flight) are on disk;
    // HEAD is still batch 3's.
    expect((await readdir(join(dir, 'refs', 'heads'))).includes('main.lock')).toBe(true);
    const s = await opened(dir);
    expect(s.lastAppliedIndex()).toBe(100);
    expect(await s.head()).toBe(await referenceHead(100));
    expect((await readdir(join(dir, 'refs', 'heads'))).includes('main.lock')).toBe(false);
    expect(await gitCli(['fsck', '--strict', '--dangling'], dir)).toBe('');
    await s.apply(entries.slice(75)); // the daemon replays from its own applied index
    expect(await s.head()).toBe(await referenceHead(300));
    expect(await gitCli(['fsck', '--strict'], dir)).toBe('');
  });

  test('a process killed at an arbitrary moment leaves a HEAD at a batch boundary', async () => {
    const dir = await dirFor();
    const child = execa(process.execPath, ['--import', 'tsx', crashChild, dir, '-1'], { reject: false });
    cleanups.unshift(async () => { child.kill('SIGKILL'); await child; }); // never outlives the test
    await waitForLine(child, /applied 13\n/, 60_000);
    child.kill('SIGKILL');
    await child;
    const s = await opened(dir);
    const applied = s.lastAppliedIndex();
    expect(applied).toBeGreaterThanOrEqual(350);
    expect(await gitCli(['fsck', '--strict'], dir)).toBe('');
    expect(await gitCli(['log', '-1', '--format=%s'], dir)).toMatch(new RegExp(`^${applied}: `));
  });

  test('a merge cut short is finished when its merged pack is in place, undone otherwise', async () => {
    const dir = await dirFor();
    const a = await openStore(dir);
    for (let i = 0; i < 60; i += 20) await a.apply(entries.slice(i, i + 20));
    const head = await a.head();
    await a.close();
    const packNames = async (): Promise<string[]> =>
      (await readdir(join(dir, 'objects', 'pack'))).filter((f) => f.endsWith('.pack')).map((f) => f.slice(5, 45)).sort();
    const sources = await packNames();
    expect(sources).toHaveLength(3);

    // Undone: the marker names a merged pack that never reached its name.
    await writeFile(join(dir, 'cairn-pending-merge'), JSON.stringify({ target: 'f'.repeat(40), sources }));
    const b = await openStore(dir);
    expect(await b.head()).toBe(head);
    await b.close();
    expect(await packNames()).toEqual(sources);

    // Finished: git writes the merged pack (all objects, sources kept), the marker names it.
    await gitCli(['repack', '-a', '-q'], dir);
    const target = (await packNames()).find((n) => !sources.includes(n))!;
    await writeFile(join(dir, 'cairn-pending-merge'), JSON.stringify({ target, sources }));
    const c = await opened(dir);
    expect(await packNames()).toEqual([target]);
    expect(await c.head()).toBe(head);
    expect(await gitCli(['fsck', '--strict', '--dangling'], dir)).toBe('');
    await c.apply(entries.slice(60));
    expect(await c.head()).toBe(await referenceHead(300));
  });

  test('a lock naming no stored commit, or HEAD itself, removes no pack', async () => {
    const dir = await dirFor();
    const a = await openStore(dir);
    await a.apply(entries.slice(0, 50));
    const head = await a.head();
    await a.close();
    // Cut short before the pack went into place (the pack waits for the lock), or torn.
    for (const lock of ['f'.repeat(40), 'f'.repeat(17), head!]) {
      await writeFile(join(dir, 'refs', 'heads', 'main.lock'), `${lock}\n`);
      const b = await opened(dir);
      expect(await b.head()).toBe(head);
      expect((await readdir(join(dir, 'refs', 'heads'))).includes('main.lock')).toBe(false);
      expect(await gitCli(['fsck', '--strict'], dir)).toBe('');
      await b.close();
    }
  });
});
