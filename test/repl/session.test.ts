import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createReplSession, type ReplSession, type ReplState, type OutputBlock } from '../../src/repl-client/index.js';
import { createFakeCluster, type FakeCluster } from './fake-cluster.js';
import { waitFor } from './wait-for.js';

/** Short intervals: the tests wait for events, these only bound how soon they come. */
const fast = { pollIntervalMs: 100, pollTimeoutMs: 1000, resumeDelayMs: 20 };

let cluster: FakeCluster | null = null;
let session: ReplSession | null = null;

afterEach(async () => {
  await session?.stop();
  await cluster?.stop();
  session = null;
  cluster = null;
});

async function setUp(names: string[], attachTo: number, opts: { withApiUrls?: boolean } = {}): Promise<{ c: FakeCluster; s: ReplSession }> {
  cluster = createFakeCluster(names, { ...opts, clusterName: 'lab' });
  await cluster.start();
  session = createReplSession({ url: cluster.nodes[attachTo]!.url, ...fast });
  session.start();
  return { c: cluster, s: session };
}

const logOf = (s: ReplState, job: string): string[] => s.log.filter((l) => l.job === job).map((l) => l.text);
const last = (s: ReplState): OutputBlock => s.output[s.output.length - 1]!;

describe('attaching', () => {
  it('shows the cluster, the leader, the term and the nodes with labels and load', async () => {
    const { c, s } = await setUp(['a', 'b'], 0);
    c.addJob({ id: 'j1', node: 'a' });
    const st = await waitFor(s.store, (x) => x.header.attachedName === 'a' && x.jobs.length === 1, 5000, 'first poll');
    expect(st.header).toMatchObject({ cluster: 'lab', leader: 'a', term: 3, connection: 'attached', attachedUrl: c.nodes[0]!.url });
    expect(st.header.nodes.map((n) => [n.name, n.state, n.running, n.slots, n.labels.join(',')])).toEqual([
      ['a', 'up', 1, 4, 'maven,os=linux'],
      ['b', 'up', 0, 4, 'cargo,os=linux'],
    ]);
    expect(st.header.notices).toEqual([]);
  });

  it('moves to the leader when given a follower, and says so', async () => {
    const { c, s } = await setUp(['a', 'b'], 1);
    const st = await waitFor(s.store, (x) => x.header.attachedName === 'a', 5000, 'move to the leader');
    expect(st.header.attachedUrl).toBe(c.nodes[0]!.url);
    expect(st.header.notices.map((n) => n.text)).toEqual(['reattached to a (the leader)']);
  });

  it('stays on the given node when the cluster view has no API URLs', async () => {
    const { c, s } = await setUp(['a', 'b'], 1, { withApiUrls: false });
    let views = 0;
    const seen = new Promise<void>((resolve) => s.connection.onEvent((e) => { if (e.kind === 'cluster' && ++views === 3) resolve(); }));
    await seen;
    const st = s.store.get();
    expect(st.header).toMatchObject({ leader: 'a', attachedUrl: c.nodes[1]!.url, attachedName: null, connection: 'attached' });
    expect(st.header.notices).toEqual([]);
  });

  it('reports the cluster lost when no member answers', async () => {
    const { c, s } = await setUp(['a', 'b'], 0);
    await waitFor(s.store, (x) => x.header.attachedName === 'a');
    await c.kill('a');
    await c.kill('b');
    const st = await waitFor(s.store, (x) => x.header.connection === 'lost', 5000, 'lost');
    expect(st.header.notices.at(-1)?.text).toContain('no cluster member answers');
    const out = await s.run('jobs').then(() => last(s.store.get()));
    expect(out).toMatchObject({ kind: 'error', code: 'UNREACHABLE' });
  });
});

describe('a node that answers badly', () => {
  it('says so in the header and stays attached', async () => {
    const { c, s } = await setUp(['a', 'b'], 0);
    await waitFor(s.store, (x) => x.header.attachedName === 'a');
    c.broken = true;
    const st = await waitFor(s.store, (x) => x.header.notices.length > 0, 5000, 'a notice');
    expect(st.header.notices[0]!.text).toBe('poll failed: state machine unavailable');
    expect(st.header.attachedName).toBe('a');
    await s.run('leader');
    expect(last(s.store.get())).toMatchObject({ kind: 'error', code: 'INTERNAL', message: 'state machine unavailable' });
  });
});

describe('reattaching while following a log', () => {
  it('moves to the new leader when the leader dies, and the log carries on with no gap and no duplicate', async () => {
    const { c, s } = await setUp(['a', 'b'], 0);
    c.addJob({ id: 'j1', node: 'b' });
    c.appendLog('j1', '▶ build\n\u001b[32mline 1\u001b[0m\n');
    c.appendLog('j1', 'line 2 par');
    await waitFor(s.store, (x) => x.header.attachedName === 'a' && x.jobs.length === 1);
    await s.run('logs j1 -f');
    expect(last(s.store.get())).toMatchObject({ kind: 'text', lines: ['following j1'] });
    await waitFor(s.store, (x) => logOf(x, 'j1').length === 2, 5000, 'first lines');

    await c.kill('a');
    c.appendLog('j1', 'tial\nline 3\n');
    const moved = await waitFor(s.store, (x) => x.header.attachedName === 'b' && x.header.leader === 'b', 5000, 'reattach to b');
    expect(moved.header.term).toBe(4);
    expect(moved.header.notices.map((n) => n.text)).toContain('reattached to b (a stopped answering)');

    const st = await waitFor(s.store, (x) => logOf(x, 'j1').length === 4, 5000, 'log after reattach');
    expect(logOf(st, 'j1')).toEqual(['▶ build', '\u001b[32mline 1\u001b[0m\u001b[0m', 'line 2 partial', 'line 3']);
    const f = st.follows.find((x) => x.job === 'j1')!;
    expect(f).toMatchObject({ gaps: 0, next: 3, live: true });
    expect(f.resumes).toBeGreaterThanOrEqual(1);
    // The new node was asked for the next chunk only.
    expect(c.nodes[1]!.logFroms.length).toBeGreaterThan(0);
    expect(c.nodes[1]!.logFroms.every((r) => r.job === 'j1' && r.from === 2)).toBe(true);

    c.appendLog('j1', '✓ build (1.50 s)\n');
    c.endJob('j1', 'succeeded');
    const ended = await waitFor(s.store, (x) => x.follows[0]?.state === 'ended', 5000, 'follow ended');
    expect(ended.follows[0]!.steps).toEqual([{ name: 'build', state: 'success', startedAt: expect.any(Number), durationMs: 1500, detail: null }]);

    const ev = await waitFor(s.store, (x) => x.events.some((e) => e.kind === 'job-finished'), 5000, 'events');
    const kinds = ev.events.map((e) => e.kind);
    expect(kinds).toContain('reattached');
    expect(kinds).toContain('leader-changed');
    expect(kinds).toContain('node-down');
    expect(ev.events.find((e) => e.kind === 'leader-changed')!.text).toBe('leader is now b, term 4 (was a)');
  });

  it('leaves a node that stops answering without closing its connections, and resumes the log on the next', async () => {
    const { c, s } = await setUp(['a', 'b'], 0);
    c.addJob({ id: 'j1', node: 'b' });
    c.appendLog('j1', 'one\n');
    await waitFor(s.store, (x) => x.header.attachedName === 'a');
    await s.run('logs j1 -f');
    await waitFor(s.store, (x) => logOf(x, 'j1').length === 1);
    c.freeze('a');
    c.appendLog('j1', 'two\n');
    // The poll times out (1 s here), the REPL moves to b, and the stream on a is abandoned for one on b.
    const st = await waitFor(s.store, (x) => x.header.attachedName === 'b' && logOf(x, 'j1').length === 2, 8000, 'move off the frozen node');
    expect(logOf(st, 'j1')).toEqual(['one', 'two']);
    expect(st.header.notices.at(-1)?.text).toBe('reattached to b (a stopped answering)');
    expect(c.nodes[1]!.logFroms).toEqual([{ job: 'j1', from: 1 }]);
  });

  it('reads a finished log once without -f', async () => {
    const { c, s } = await setUp(['a'], 0);
    c.addJob({ id: 'j2', state: 'succeeded' });
    c.appendLog('j2', 'one\ntwo');
    await s.run('logs j2');
    const st = await waitFor(s.store, (x) => x.follows[0]?.state === 'ended', 5000, 'read');
    expect(logOf(st, 'j2')).toEqual(['one', 'two']);
    expect(st.follows[0]!.live).toBe(false);
  });

  it('says when the job does not exist', async () => {
    const { s } = await setUp(['a'], 0);
    await s.run('logs nope -f');
    const st = await waitFor(s.store, (x) => x.follows[0]?.state === 'failed', 5000, 'failed');
    expect(st.follows[0]!.error).toContain('no job or run nope');
  });
});

describe('commands', () => {
  it('answers help, jobs, status, why, cancel, history, leader, labels and errors', async () => {
    const { c, s } = await setUp(['a', 'b'], 0);
    c.addJob({ id: 'j1', node: 'a' });
    c.addJob({ id: 'q1', state: 'queued', node: null, reason: 'no node with label gpu' });
    await waitFor(s.store, (x) => x.header.attachedName === 'a');

    await s.run('help');
    expect(last(s.store.get())).toMatchObject({ kind: 'help', command: 'help' });
    expect((last(s.store.get()) as { entries: unknown[] }).entries).toHaveLength(13);

    await s.run('jobs');
    expect(last(s.store.get())).toMatchObject({ kind: 'jobs', jobs: [{ id: 'j1', state: 'running' }, { id: 'q1', state: 'queued' }] });

    await s.run('status j1');
    expect(last(s.store.get())).toMatchObject({ kind: 'status', status: { id: 'j1', state: 'running', node: 'a', attempts: [{ n: 1, node: 'a' }] } });

    await s.run('why q1');
    expect(last(s.store.get())).toMatchObject({ kind: 'text', lines: ['q1: no node with label gpu', '  down: b'] });
    await s.run('why j1');
    expect(last(s.store.get())).toMatchObject({ kind: 'text', lines: ['j1: nothing to explain: j1 is running on a'] });

    await s.run('cancel j1');
    expect(c.cancelled).toEqual(['j1']);
    expect(last(s.store.get())).toMatchObject({ kind: 'text', lines: ['cancel requested for j1 (cancelled)'] });

    await s.run('history 1');
    expect(last(s.store.get())).toMatchObject({ kind: 'history', rows: [{ job: 'j1', pipeline: 'ci.yml', node: 'a' }] });

    await s.run('leader');
    const leaderLines = (last(s.store.get()) as { lines: string[] }).lines;
    expect(leaderLines[0]).toBe('leader a, term 3');
    expect(leaderLines[1]).toBe(`attached to a (${c.nodes[0]!.url})`);

    await s.run('labels a +gpu -maven');
    expect(last(s.store.get())).toMatchObject({ kind: 'text', tone: 'warn', lines: [expect.stringContaining('not supported by this cluster yet')] });

    await s.run('frobnicate');
    expect(last(s.store.get())).toMatchObject({ kind: 'error', code: 'USAGE', message: 'unknown command "frobnicate": type help for the list' });
    await s.run('status nope');
    expect(last(s.store.get())).toMatchObject({ kind: 'error', code: 'NOT_FOUND' });
    await s.run('   ');
    expect(last(s.store.get()).command).toBe('status nope');

    await s.run('quit');
    expect(s.store.get().quit).toBe(true);
  });

  it('submits a file, follows its job, and retries it with the same pipeline', async () => {
    const { c, s } = await setUp(['a'], 0);
    const dir = mkdtempSync(join(tmpdir(), 'cairn-repl-'));
    try {
      const file = join(dir, 'ci.yml');
      writeFileSync(file, 'jobs: {}\n');
      await s.run(`submit ${file}`);
      expect(c.submitted).toEqual([{ pipeline: 'jobs: {}\n', file: 'ci.yml' }]);
      expect(last(s.store.get())).toMatchObject({ kind: 'text', tone: 'good', lines: ['submitted 1.1 (queued)', 'following 1.1'] });
      expect(s.store.get().follows.map((f) => f.job)).toEqual(['1.1']);

      await s.run('retry 1.1');
      expect(c.submitted[1]).toEqual(c.submitted[0]);
      expect(last(s.store.get())).toMatchObject({ lines: ['retried 1.1 as 2.1 (queued)', 'following 2.1'] });

      // A job from elsewhere: its registered pipeline is submitted by name, or the REPL says why not.
      c.addJob({ id: 'r1', pipeline: 'registered' });
      await s.run('retry r1');
      expect(c.submitted[2]).toEqual({ name: 'registered' });
      c.addJob({ id: 'x1', pipeline: 'adhoc.yml' });
      await s.run('retry x1');
      expect(last(s.store.get())).toMatchObject({ kind: 'error', code: 'PIPELINE_NOT_FOUND', message: 'x1\'s pipeline "adhoc.yml" is not registered in the cluster: submit its file again' });

      await s.run('submit registered');
      expect(c.submitted.at(-1)).toEqual({ name: 'registered' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('edits the prompt with history and completes commands and job ids', async () => {
    const { c, s } = await setUp(['a'], 0);
    c.addJob({ id: 'j10' });
    c.addJob({ id: 'j11' });
    await waitFor(s.store, (x) => x.jobs.length === 2);
    for (const ch of 'jo') await s.key({ kind: 'text', text: ch });
    await s.key({ kind: 'tab' });
    expect(s.store.get().input).toEqual({ text: 'jobs ', cursor: 5, candidates: [] });
    await s.key({ kind: 'enter' });
    expect(last(s.store.get())).toMatchObject({ kind: 'jobs', command: 'jobs ' });
    await s.key({ kind: 'text', text: 'status j' });
    await s.key({ kind: 'tab' });
    expect(s.store.get().input).toMatchObject({ text: 'status j1', candidates: ['j10', 'j11'] });
    await s.key({ kind: 'text', text: '1' });
    await s.key({ kind: 'tab' });
    expect(s.store.get().input.text).toBe('status j11 ');
    await s.key({ kind: 'enter' });
    expect(last(s.store.get())).toMatchObject({ kind: 'status', status: { id: 'j11' } });
    await s.key({ kind: 'up' });
    expect(s.store.get().input.text).toBe('status j11 ');
    await s.key({ kind: 'up' });
    expect(s.store.get().input.text).toBe('jobs ');
    await s.key({ kind: 'down' });
    await s.key({ kind: 'down' });
    expect(s.store.get().input.text).toBe('');
    await s.key({ kind: 'text', text: 'abc' });
    await s.key({ kind: 'interrupt' });
    expect(s.store.get()).toMatchObject({ input: { text: '' }, quit: false });
    await s.key({ kind: 'eof' });
    expect(s.store.get().quit).toBe(true);
  });
});
