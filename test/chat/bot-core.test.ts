import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApiServer, type ApiServer } from '../../src/api/index.js';
import { createChatBot, createClusterAccess, createCommitterLookup, type ChatBot } from '../../src/chat/index.js';
import { toJobRow, type JobRow } from '../../src/chat/views.js';
import { ManualEventSource, MemoryAdapter } from './memory-adapter.js';
import { MemoryCluster } from './memory-cluster.js';

const row = (over: Partial<JobRow> & { id: string }): JobRow => toJobRow({ pipeline: 'ci', name: 'build', state: 'failed', node: 'node-b', reason: 'exit code 1', ...over })!;

describe('chat bot core', () => {
  const cluster = new MemoryCluster();
  let api: ApiServer;
  let url = '';
  let adapter: MemoryAdapter;
  let events: ManualEventSource;
  let bot: ChatBot;

  beforeAll(async () => {
    cluster.chatUsers['dora@example.com'] = 'dora';
    api = createApiServer({ host: '127.0.0.1', port: 0, service: cluster });
    url = await api.start();
  });
  afterAll(() => api.stop());

  async function startBot(limits: Parameters<typeof createChatBot>[0]['limits'] = {}) {
    adapter = new MemoryAdapter();
    events = new ManualEventSource();
    const access = createClusterAccess({ urls: [url] });
    bot = createChatBot({ adapter, cluster: access, events, allow: ['alice'], committerNick: createCommitterLookup({ cluster: access }), limits: { sendRefillMs: 10, ...limits } });
    await bot.start();
  }
  afterEach(() => bot?.stop());

  it('limits each user: a burst of commands, then one short "slow down", then silence', async () => {
    await startBot({ userCommandBurst: 3, userCommandRefillMs: 60_000, sendBurstLines: 10 });
    for (let i = 0; i < 5; i++) adapter.receive('spammer', '!help');
    adapter.receive('alice', '!help');
    const lines = await adapter.waitFor((s) => s.line.startsWith('alice: '));
    expect(lines).toHaveLength(1);
    const spam = adapter.said.filter((s) => s.line.startsWith('spammer: '));
    // The warning is immediate while answers take a turn of the event loop, so compare as a set.
    expect(spam.map((s) => s.line.split(':')[1]!.trim().split(' ')[0]).sort()).toEqual(['commands', 'commands', 'commands', 'slow']);
  });

  it('goes by the account where the network reports one', async () => {
    await startBot();
    const { id } = await cluster.submit({ name: 'ci' });
    adapter.receive('alice', `!cancel ${id}`, { account: { kind: 'none' } });
    await adapter.waitFor((s) => s.line === 'alice: sorry, log in to your account first');
    adapter.receive('al', `!cancel ${id}`, { account: { kind: 'account', name: 'Alice' } });
    await adapter.waitFor((s) => s.line === `al: cancelling ${id}`);
    expect(cluster.cancelled).toContain(id);
  });

  it('shows the end of a long log, within one bounded reply', async () => {
    await startBot();
    const { id } = await cluster.submit({ name: 'ci' });
    cluster.set(`${id}.1`, 'failed', { log: Array.from({ length: 500 }, (_, i) => `line ${i}\n`).concat(['\x1b[31merror: it broke\x1b[0m\n']) });
    adapter.receive('bob', `!logs ${id}.1`, { channel: null });
    const got = await adapter.waitFor((s) => s.target === 'bob', { count: 6 });
    expect(got.map((s) => s.line)).toEqual([`last 5 lines of ${id}.1:`, 'line 496', 'line 497', 'line 498', 'line 499', 'error: it broke']);
  });

  it('announces failures to the channel and the committer, fixes to the channel, and ends of chat-started runs to who asked', async () => {
    await startBot();
    events.emit({ type: 'job-failed', job: row({ id: '40.1', run: '40', authorEmail: 'DORA@example.com' }) });
    await adapter.waitFor((s) => s.target === 'dora' && s.line.startsWith('your build ci/build (40.1) failed on node-b: exit code 1'));
    expect(adapter.said.some((s) => s.target === '#ci' && s.line.startsWith('FAILED ci/build (40.1)'))).toBe(true);

    // A run started from chat, with no commit author known: the nick that asked hears of it.
    adapter.receive('alice', '!build ci');
    const [started] = await adapter.waitFor((s) => /^alice: run \d+ \(ci\) queued/.test(s.line));
    const run = /run (\d+)/.exec(started!.line)![1]!;
    events.emit({ type: 'job-failed', job: row({ id: `${run}.1`, run }) });
    await adapter.waitFor((s) => s.target === 'alice' && s.line.startsWith(`your build ci/build (${run}.1) failed`));
    events.emit({ type: 'run-ended', run, pipeline: 'ci', state: 'failed', reason: 'build: exit code 1' });
    await adapter.waitFor((s) => s.target === '#ci' && s.line === `alice: run ${run} (ci) failed — build: exit code 1`);

    events.emit({ type: 'job-fixed', job: row({ id: '41.1', run: '41', state: 'succeeded' }) });
    await adapter.waitFor((s) => s.line === 'FIXED ci/build (41.1) succeeded again');
    // Nobody started run 41 from chat, and nobody is told its end.
    const mark = adapter.mark();
    events.emit({ type: 'run-ended', run: '41', pipeline: 'ci', state: 'succeeded', reason: null });
    events.emit({ type: 'job-fixed', job: row({ id: '42.1', run: '42', state: 'succeeded' }) });
    await adapter.waitFor((s) => s.line.startsWith('FIXED ci/build (42.1)'), { since: mark });
    expect(adapter.said.slice(mark)).toHaveLength(1);
  });

  it('retries a chat-started run with exactly its request', async () => {
    await startBot();
    adapter.receive('alice', '!build app v2');
    const [started] = await adapter.waitFor((s) => /^alice: run \d+ \(app @ v2\) queued/.test(s.line));
    const run = /run (\d+)/.exec(started!.line)![1]!;
    adapter.receive('alice', `!retry ${run}.2`);
    await adapter.waitFor((s) => new RegExp(`^alice: run \\d+ \\(app\\) queued, again after ${run}\\.2`).test(s.line));
    expect(cluster.submitted.slice(-2)).toEqual([{ name: 'app', ref: 'v2' }, { name: 'app', ref: 'v2' }]);
  });

  it('holds what it has to say while the network is away, and says it once back', async () => {
    await startBot();
    adapter.ready = false;
    adapter.receive('bob', '!help');
    events.emit({ type: 'job-fixed', job: row({ id: '50.1', run: '50', state: 'succeeded' }) });
    expect(adapter.said).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(bot.outbox.pending()).toBeGreaterThan(0);
    adapter.reconnect();
    await adapter.waitFor((s) => s.line.startsWith('bob: commands:'));
    await adapter.waitFor((s) => s.line.startsWith('FIXED ci/build (50.1)'));
  });
});

describe('following the leader', () => {
  const cluster = new MemoryCluster();
  const servers: ApiServer[] = [];
  let urls: string[] = [];

  beforeAll(async () => {
    // Two nodes of one cluster: both serve the same state.
    for (let i = 0; i < 2; i++) servers.push(createApiServer({ host: '127.0.0.1', port: 0, service: cluster }));
    urls = await Promise.all(servers.map((s) => s.start()));
  });
  afterAll(() => Promise.all(servers.map((s) => s.stop())));

  it('waits out an election (NO_LEADER) and answers once a leader is elected', async () => {
    const access = createClusterAccess({ urls: [urls[0]!], leaderWaitMs: 5_000 });
    cluster.noLeader = true;
    let refusals = 0;
    const pending = access.read(async (c) => {
      try {
        return await c.cluster();
      } catch (err) {
        // The election ends after a few refused requests.
        if (++refusals === 3) cluster.noLeader = false;
        throw err;
      }
    });
    expect(await pending).toMatchObject({ leader: 'node-a' });
    expect(refusals).toBe(3);
  });

  it('gives up after its bound when no leader appears', async () => {
    const access = createClusterAccess({ urls: [urls[0]!], leaderWaitMs: 300 });
    cluster.noLeader = true;
    try {
      await expect(access.read((c) => c.cluster())).rejects.toMatchObject({ code: 'NO_LEADER' });
    } finally {
      cluster.noLeader = false;
    }
  });

  it('moves to another node when the one it used goes away, for reads and for writes', async () => {
    const access = createClusterAccess({ urls, leaderWaitMs: 2_000 });
    expect(await access.read((c) => c.cluster())).toMatchObject({ leader: 'node-a' });
    expect(access.current()).toBe(urls[0]);
    await servers[0]!.stop();
    expect(await access.read((c) => c.jobs())).toBeInstanceOf(Array);
    expect(access.current()).toBe(urls[1]);
    // A refused connection proves the write never happened, so it may go elsewhere.
    const only0 = createClusterAccess({ urls, leaderWaitMs: 2_000 });
    const before = cluster.submitted.length;
    expect(await only0.write((c) => c.submit({ name: 'ci' }))).toMatchObject({ state: 'queued' });
    expect(cluster.submitted.length).toBe(before + 1);
  });
});
