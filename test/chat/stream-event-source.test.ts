import { afterEach, describe, expect, it } from 'vitest';
import { createApiServer, type ApiServer } from '../../src/api/index.js';
import { createClusterAccess, createStreamEventSource, type ChatEvent, type EventSource } from '../../src/chat/index.js';
import { MemoryCluster } from './memory-cluster.js';

const waitMs = 5_000;
/** Far beyond the tests' waits: an event that arrives came from the stream, not a poll. */
const pollMsNever = 60_000;

/** The in-memory cluster with an event bus: `GET /v1/events` streams what `publish` sends. */
class StreamCluster extends MemoryCluster {
  private readonly subscribers = new Set<{ queue: unknown[]; wake: () => void; dropped: boolean }>();
  subscriptions = 0;

  publish(e: Record<string, unknown>): void {
    for (const s of this.subscribers) {
      s.queue.push({ timeMs: 0, ...e });
      s.wake();
    }
  }

  /** Ends every open stream, as a node going away would. */
  dropStreams(): void {
    for (const s of this.subscribers) {
      s.dropped = true;
      s.wake();
    }
  }

  /** Moves a job to an end state and publishes the bus event a leader would. */
  end(id: string, state: 'succeeded' | 'failed' | 'cancelled', extra: { reason?: string; attempt?: number } = {}): void {
    const attempt = extra.attempt ?? 1;
    this.set(id, state, { attempts: attempt, ...(extra.reason === undefined ? {} : { reason: extra.reason }) });
    if (state === 'succeeded') this.publish({ kind: 'job-finished', job: id, attempt, node: 'node-b', durationMs: 10 });
    else if (state === 'failed') this.publish({ kind: 'job-failed', job: id, attempt, node: 'node-b', exitCode: 1, reason: extra.reason ?? 'exit code 1' });
    else this.publish({ kind: 'job-cancelled', job: id, attempt });
  }

  async *events(signal: AbortSignal): AsyncIterable<unknown> {
    const sub = { queue: [] as unknown[], wake: () => {}, dropped: false };
    this.subscribers.add(sub);
    this.subscriptions++;
    const onAbort = () => sub.wake();
    signal.addEventListener('abort', onAbort);
    try {
      while (!signal.aborted && !sub.dropped) {
        while (sub.queue.length > 0) yield sub.queue.shift();
        await new Promise<void>((r) => (sub.wake = r));
      }
    } finally {
      this.subscribers.delete(sub);
      signal.removeEventListener('abort', onAbort);
    }
  }
}

/** The stream-backed event source against a real API server over an in-memory cluster. */
describe('stream event source', () => {
  let api: ApiServer | null = null;
  let source: EventSource | null = null;
  const got: ChatEvent[] = [];
  const logs: string[] = [];
  let subscribed = 0;
  let waiters: Array<() => void> = [];

  afterEach(async () => {
    await source?.stop();
    source = null;
    await api?.stop();
    api = null;
    got.length = 0;
    logs.length = 0;
    subscribed = 0;
  });

  const wake = () => {
    for (const w of [...waiters]) w();
  };

  async function start(cluster: MemoryCluster): Promise<void> {
    api = createApiServer({ host: '127.0.0.1', port: 0, service: cluster });
    await api.start();
    const addr = api.app.server.address();
    const url = typeof addr === 'object' && addr !== null ? `http://127.0.0.1:${addr.port}` : '';
    source = createStreamEventSource({
      cluster: createClusterAccess({ urls: [url], leaderWaitMs: 0 }),
      pollMs: cluster instanceof StreamCluster ? pollMsNever : 20,
      onSubscribed: () => {
        subscribed++;
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
  const subscribedAtLeast = (n: number) => until(`subscription ${n}`, () => subscribed >= n);

  it('stays quiet about what ended before it subscribed, then reports success, "fixed" and the run end from the bus', async () => {
    const cluster = new StreamCluster();
    const old = await cluster.submit({ name: 'app' });
    cluster.set(`${old.id}.1`, 'succeeded');
    cluster.set(`${old.id}.2`, 'failed', { reason: 'exit code 1' });
    await start(cluster);
    await subscribedAtLeast(1);
    const next = await cluster.submit({ name: 'app' });
    cluster.end(`${next.id}.1`, 'succeeded');
    await until('build success', () => got.some((e) => e.type === 'job-succeeded' && e.job.id === `${next.id}.1`));
    cluster.end(`${next.id}.2`, 'succeeded');
    await until('run end', () => runEnded(next.id) !== undefined);
    expect(got.map((e) => e.type)).toEqual(['job-succeeded', 'job-fixed', 'run-ended']);
    expect(runEnded(next.id)).toMatchObject({ pipeline: 'app', state: 'succeeded' });
    expect(got.some((e) => 'job' in e && e.job.run === old.id)).toBe(false);
    expect(cluster.subscriptions).toBe(1);
  });

  it('ignores a failed attempt that was retried, reports the last one, and the run as failed', async () => {
    const cluster = new StreamCluster();
    cluster.authors['abc123'] = 'dora@example.com';
    await start(cluster);
    await subscribedAtLeast(1);
    const { id } = await cluster.submit({ name: 'app', repo: 'https://example.com/app.git', ref: 'abc123' });
    // Attempt 1 failed and attempt 2 is queued: the bus says "failed", the row says "going on".
    cluster.set(`${id}.1`, 'queued', { attempts: 2 });
    cluster.publish({ kind: 'job-failed', job: `${id}.1`, attempt: 1, node: 'node-b', exitCode: 1, reason: 'exit code 1' });
    cluster.end(`${id}.1`, 'failed', { attempt: 2, reason: 'exit code 3' });
    await until('failure', () => got.some((e) => e.type === 'job-failed'));
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ type: 'job-failed', job: { id: `${id}.1`, pipeline: 'app', name: 'build', authorEmail: 'dora@example.com', reason: 'exit code 3', attempt: 2 } });
    cluster.end(`${id}.2`, 'cancelled');
    await until('run end', () => runEnded(id) !== undefined);
    expect(got.map((e) => e.type)).toEqual(['job-failed', 'job-cancelled', 'run-ended']);
    expect(runEnded(id)).toMatchObject({ state: 'failed', reason: 'build: exit code 3' });
  });

  it('resubscribes after a dropped stream and reports what ended while it was away', async () => {
    const cluster = new StreamCluster();
    await start(cluster);
    await subscribedAtLeast(1);
    const { id } = await cluster.submit({ name: 'ci' });
    cluster.set(`${id}.1`, 'running');
    cluster.dropStreams();
    // Ends with no bus event: only the listing read on resubscribing can tell.
    cluster.set(`${id}.1`, 'failed', { reason: 'exit code 2' });
    await subscribedAtLeast(2);
    // Reported while resubscribing, before the source says it is subscribed again.
    expect(got.map((e) => e.type)).toEqual(['job-failed', 'run-ended']);
    expect(runEnded(id)).toMatchObject({ state: 'failed' });
    expect(cluster.subscriptions).toBeGreaterThanOrEqual(2);
    expect(got.filter((e) => e.type === 'job-failed')).toHaveLength(1);
  });

  it('resubscribes on a leader change', async () => {
    const cluster = new StreamCluster();
    await start(cluster);
    await subscribedAtLeast(1);
    cluster.publish({ kind: 'leader-changed', leader: 'node-b', term: 4 });
    await subscribedAtLeast(2);
    const { id } = await cluster.submit({ name: 'ci' });
    cluster.end(`${id}.1`, 'cancelled');
    await until('the run end', () => runEnded(id) !== undefined);
    expect(got.map((e) => e.type)).toEqual(['job-cancelled', 'run-ended']);
    expect(cluster.subscriptions).toBe(2);
    expect(runEnded(id)).toMatchObject({ state: 'cancelled' });
  });

  it('falls back to polling when the server has no event stream', async () => {
    const cluster = new MemoryCluster();
    await start(cluster);
    await until('the fallback', () => logs.some((l) => l.includes('polling for events')));
    await subscribedAtLeast(1);
    const { id } = await cluster.submit({ name: 'ci' });
    cluster.set(`${id}.1`, 'succeeded');
    await until('the success', () => got.some((e) => e.type === 'job-succeeded' && e.job.id === `${id}.1`));
    expect(runEnded(id)).toBeDefined();
  });
});
