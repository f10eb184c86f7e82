/** Reading the store back: history newest first, pipelines, config, and refused effects. */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { CairnError } from '../../src/util/errors.js';
import { openStore, validateEffect, type Store, type StoreEntry } from '../../src/store/index.js';
import { gitCli, record, tempDir } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function fresh(): Promise<{ store: Store; dir: string }> {
  const t = await tempDir();
  cleanups.push(t.cleanup);
  const dir = join(t.dir, 'store');
  const store = await openStore(dir);
  cleanups.unshift(() => store.close());
  return { store, dir };
}

let nextIndex = 1;
function entry(...effects: StoreEntry['effects']): StoreEntry {
  const index = nextIndex++;
  return { index, term: 1, timeMs: 1_700_000_000_000 + index * 1000, effects };
}

describe('history', () => {
  test('newest first by finish, start, then queue time; limit and jobId filter', async () => {
    const { store } = await fresh();
    await store.apply([
      entry({ kind: 'history', record: record('a', 1, 'succeeded', 5_000) }),
      entry({ kind: 'history', record: record('b', 1, 'running', 9_000) }), // startedAt 8_900
      entry({ kind: 'history', record: record('c', 1, 'queued', 7_000) }), // queuedAt 6_500
      entry({ kind: 'history', record: record('a', 2, 'failed', 8_000) }),
    ]);
    const all = await store.history({ limit: 10 });
    expect(all.map((r) => `${r.jobId}#${r.attempt}`)).toEqual(['b#1', 'a#2', 'c#1', 'a#1']);
    expect((await store.history({ limit: 2 })).map((r) => r.jobId)).toEqual(['b', 'a']);
    expect((await store.history({ limit: 10, jobId: 'a' })).map((r) => r.attempt)).toEqual([2, 1]);
    expect(await store.history({ limit: 10, jobId: 'nope' })).toEqual([]);
    expect(all[0]).toEqual(record('b', 1, 'running', 9_000));

    // The in-memory order follows later writes: b finishes last, a new job d comes first.
    await store.apply([
      entry({ kind: 'history', record: record('b', 1, 'succeeded', 20_000) }),
      entry({ kind: 'history', record: record('d', 1, 'succeeded', 30_000) }),
    ]);
    expect((await store.history({ limit: 3 })).map((r) => `${r.jobId}#${r.attempt}:${r.state}`)).toEqual(['d#1:succeeded', 'b#1:succeeded', 'a#2:failed']);
  });

  test('equal times order by job id, then attempt, descending', async () => {
    const { store } = await fresh();
    await store.apply([
      entry({ kind: 'history', record: record('x', 1, 'succeeded', 1_000) }),
      entry({ kind: 'history', record: record('y', 1, 'succeeded', 1_000) }),
      entry({ kind: 'history', record: record('y', 2, 'succeeded', 1_000) }),
    ]);
    expect((await store.history({ limit: 5 })).map((r) => `${r.jobId}#${r.attempt}`)).toEqual(['y#2', 'y#1', 'x#1']);
  });

  test('records are stored as sorted JSON with a trailing newline, sharded by job id hash', async () => {
    const { store, dir } = await fresh();
    await store.apply([entry({ kind: 'history', record: record('job-1', 3, 'succeeded', 1_000) })]);
    const files = (await gitCli(['ls-tree', '-r', '--name-only', 'HEAD'], dir)).split('\n');
    expect(files).toHaveLength(1);
    const h = createHash('sha256').update('job-1').digest('hex');
    expect(files[0]).toBe(`history/${h[0]}/${h[1]}/${h[2]}/job-1/3.json`);
    const text = await gitCli(['cat-file', 'blob', `HEAD:${files[0]}`], dir);
    const keys = Object.keys(JSON.parse(text) as object);
    expect(keys).toEqual([...keys].sort());
    expect(keys).toHaveLength(14);
  });

  test('optional key and reason are kept; fields outside the record type are not', async () => {
    const { store } = await fresh();
    const r = { ...record('m', 1, 'lost', 2_000), key: 'test (linux, 22)', reason: 'node n2 lost', stray: 'x' };
    await store.apply([entry({ kind: 'history', record: r })]);
    const [back] = await store.history({ limit: 1 });
    expect(back).toEqual({ ...record('m', 1, 'lost', 2_000), key: 'test (linux, 22)', reason: 'node n2 lost' });
  });

  test('a bad limit or job id is INVALID_INPUT', async () => {
    const { store } = await fresh();
    await expect(store.history({ limit: 0 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(store.history({ limit: 1, jobId: '../x' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('pipelines and config', () => {
  test('pipelines are registered, replaced, listed by name and removed', async () => {
    const { store, dir } = await fresh();
    await store.apply([
      entry({ kind: 'put-pipeline', name: 'web', content: '#!/bin/sh\necho hi\n' }),
      entry({ kind: 'put-pipeline', name: 'api', content: 'on: push\n', repo: 'https://x/api.git', ref: 'v1' }),
    ]);
    expect(await store.listPipelines()).toEqual([
      { name: 'api', content: 'on: push\n', repo: 'https://x/api.git', ref: 'v1' },
      { name: 'web', content: '#!/bin/sh\necho hi\n' },
    ]);
    await store.apply([entry({ kind: 'put-pipeline', name: 'api', content: 'on: push\n' })]);
    expect(await store.getPipeline('api')).toEqual({ name: 'api', content: 'on: push\n' });
    expect(await gitCli(['show', 'HEAD:pipelines/web/definition'], dir)).toBe('#!/bin/sh\necho hi');
    await store.apply([entry({ kind: 'remove-pipeline', name: 'web' })]);
    expect(await store.getPipeline('web')).toBeNull();
    expect((await store.listPipelines()).map((p) => p.name)).toEqual(['api']);
    await store.apply([entry({ kind: 'remove-pipeline', name: 'api' })]);
    expect(await store.listPipelines()).toEqual([]);
    expect(await gitCli(['ls-tree', 'HEAD'], dir)).toBe(''); // empty dirs are pruned, down to the empty tree
    expect(await gitCli(['fsck', '--strict'], dir)).toBe('');
  });

  test('config keys hold JSON values; absent keys read as undefined', async () => {
    const { store } = await fresh();
    const nicks = { 'alice@example.com': 'alice', 'bob@example.com': 'bobby' };
    await store.apply([
      entry({ kind: 'put-config', key: 'chat.nicks', value: nicks }),
      entry({ kind: 'put-config', key: 'cluster.voters', value: 5 }),
      entry({ kind: 'put-config', key: 'empty', value: null }),
    ]);
    expect(await store.getConfig('chat.nicks')).toEqual(nicks);
    expect(await store.getConfig('missing')).toBeUndefined();
    expect(await store.getConfig('empty')).toBeNull();
    expect(await store.getConfig()).toEqual({ 'chat.nicks': nicks, 'cluster.voters': 5, empty: null });
    await store.apply([entry({ kind: 'remove-config', key: 'cluster.voters' })]);
    expect(Object.keys(await store.getConfig())).toEqual(['chat.nicks', 'empty']);
  });

  test.each([
    [{ kind: 'put-pipeline', name: '../etc', content: 'x' }, /pipeline name/],
    [{ kind: 'put-pipeline', name: '.hidden', content: 'x' }, /pipeline name/],
    [{ kind: 'put-pipeline', name: 'ok', content: 'x', repo: 'a\nb' }, /repo must be one line/],
    [{ kind: 'put-config', key: 'a/b', value: 1 }, /config key/],
    [{ kind: 'put-config', key: 'nan', value: { x: Number.NaN } }, /not plain JSON/],
    [{ kind: 'put-config', key: 'date', value: new Date(0) }, /not plain JSON/],
    [{ kind: 'history', record: { ...record('j', 1, 'succeeded', 1), state: 'weird' } }, /state "weird" is unknown/],
    [{ kind: 'history', record: { ...record('j', 0, 'succeeded', 1) } }, /attempt 0/],
    [{ kind: 'history', record: { ...record('j', 1, 'succeeded', 1), logDigest: 'xyz' } }, /logDigest/],
    [{ kind: 'rename-all' }, /unknown store effect/],
  ])('refuses %j', async (effect, message) => {
    expect(() => validateEffect(effect as never)).toThrow(message);
    const { store } = await fresh();
    await store.apply([entry({ kind: 'put-config', key: 'before', value: 1 })]);
    const head = await store.head();
    const err = await store.apply([entry({ kind: 'put-config', key: 'other', value: 2 }), entry(effect as never)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CairnError);
    expect((err as CairnError).code).toBe('INVALID_INPUT');
    expect(await store.head()).toBe(head); // nothing of the batch was applied
  });
});
