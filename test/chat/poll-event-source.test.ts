import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApiServer, type ApiServer } from '../../src/api/index.js';
import { createClusterAccess, createPollEventSource, type ChatEvent, type EventSource } from '../../src/chat/index.js';
import { MemoryCluster } from './memory-cluster.js';

const pollMs = 20;
const waitMs = 5_000;

/** The polling event source against a real API server over an in-memory cluster. */
describe('polling event source', () => {
  let cluster: MemoryCluster;
  let api: ApiServer;
  let source: EventSource | null = null;
  const got: ChatEvent[] = [];
  const logs: string[] = [];
  let polls = 0;
  let waiters: Array<() => void> = [];

  beforeAll(async () => {
    cluster = new MemoryCluster();
    api = createApiServer({ host: '127.0.0.1', port: 0, service: cluster });
    await api.start();
  });
  afterAll(() => api.stop());
  afterEach(async () => {
    await source?.stop();
    source = null;
    got.length = 0;
    logs.length = 0;
    polls = 0;
  });

  const wake = () => {
    for (const w of [...waiters]) w();
  };

  async function start(): Promise<void> {
    const addr = api.app.server.address();
    const url = typeof addr === 'object' && addr !== null ? `http://127.0.0.1:${addr.port}` : '';
    source = createPollEventSource({
      cluster: createClusterAccess({ urls: [url], leaderWaitMs: 0 }),
      intervalMs: pollMs,
      onPolled: () => {
        polls++;
        wake();
      },
      log: (_level, m) => {
        logs.push(m);
        wake();
      },
    });
    source.start((e) => {
      got.push(e);
      wake();
    });
  }

  function until(what: string, cond: () => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!cond()) return;
        clearTimeout(timer);
        waiters = waiters.filter((w) => w !== check);
        resolve();
      };
      const timer = setTimeout(() => reject(new Error(`no ${what} within ${waitMs} ms; events: ${JSON.stringify(got)}; log: ${logs.join(' | ')}`)), waitMs);
      waiters.push(check);
      check();
    });
  }

  const runEnded = (run: string) => got.find((e) => e.type === 'run-ended' && e.run === run);

  /** The first poll is the baseline: what changes after it is news. */
  function pastBaseline(): Promise<void> {
    return until('the baseline poll', () => polls >= 1);
  }

  it('stays quiet about jobs that had ended before it started, but remembers them for "fixed"', async () => {
    const old = await cluster.submit({ name: 'app' });
    cluster.set(`${old.id}.1`, 'succeeded');
    cluster.set(`${old.id}.2`, 'failed', { reason: 'exit code 1' });
    await start();
    await pastBaseline();
    const next = await cluster.submit({ name: 'app' });
    cluster.set(`${next.id}.1`, 'succeeded');
    cluster.set(`${next.id}.2`, 'running');
    await until('build success', () => got.some((e) => e.type === 'job-succeeded' && e.job.id === `${next.id}.1`));
    cluster.set(`${next.id}.2`, 'succeeded');
    await until('run end', () => runEnded(next.id) !== undefined);
    expect(got.map((e) => e.type)).toEqual(['job-succeeded', 'job-fixed', 'run-ended']);
    expect(runEnded(next.id)).toMatchObject({ pipeline: 'app', state: 'succeeded' });
    expect(got.some((e) => 'job' in e && e.job.run === old.id)).toBe(false);
  });

  it('reports a failure with the commit author, and the run as failed once all its jobs ended', async () => {
    cluster.authors['abc123'] = 'dora@example.com';
    await start();
    await pastBaseline();
    const { id } = await cluster.submit({ name: 'app', repo: 'https://example.com/app.git', ref: 'abc123' });
    cluster.set(`${id}.1`, 'failed', { reason: 'exit code 3' });
    await until('failure', () => got.some((e) => e.type === 'job-failed'));
    expect(got[0]).toMatchObject({ type: 'job-failed', job: { id: `${id}.1`, pipeline: 'app', name: 'build', authorEmail: 'dora@example.com', reason: 'exit code 3' } });
    expect(runEnded(id)).toBeUndefined();
    cluster.set(`${id}.2`, 'cancelled');
    await until('run end', () => runEnded(id) !== undefined);
    expect(runEnded(id)).toMatchObject({ state: 'failed', reason: 'build: exit code 3' });
  });

  it('says "fixed" for a build that history says was broken before the bot started', async () => {
    cluster.historyRecords = [
      { jobId: '1.1', runId: '1', pipeline: 'legacy', job: 'build', state: 'failed', attempt: 1 },
      { jobId: '0.1', runId: '0', pipeline: 'legacy', job: 'build', state: 'succeeded', attempt: 1 },
    ];
    cluster.pipelinesByName.legacy = ['build'];
    await start();
    await pastBaseline();
    const { id } = await cluster.submit({ name: 'legacy' });
    cluster.set(`${id}.1`, 'succeeded');
    await until('fixed', () => got.some((e) => e.type === 'job-fixed'));
    expect(got.find((e) => e.type === 'job-fixed')).toMatchObject({ job: { id: `${id}.1`, pipeline: 'legacy' } });
  });

  it('carries on after the cluster was unreachable, and reports what ended meanwhile', async () => {
    await start();
    await pastBaseline();
    const { id } = await cluster.submit({ name: 'ci' });
    cluster.set(`${id}.1`, 'running');
    cluster.noLeader = true;
    await until('a warning', () => logs.some((l) => l.includes('cannot poll the cluster')));
    cluster.set(`${id}.1`, 'failed');
    cluster.noLeader = false;
    await until('the failure', () => got.some((e) => e.type === 'job-failed' && e.job.id === `${id}.1`));
    await until('recovery log', () => logs.some((l) => l.includes('reachable again')));
  });
});
