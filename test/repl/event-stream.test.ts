import { afterEach, describe, expect, it } from 'vitest';
import { createApiServer, type ApiServer, type ApiService } from '../../src/api/index.js';
import type { CairnEvent } from '../../src/logs/index.js';
import {
  ClusterConnection,
  createReplSession,
  createStreamingEventSource,
  parseStreamedEvent,
  replEventOf,
  type EventStreamMode,
  type ReplEvent,
  type ReplSession,
} from '../../src/repl-client/index.js';
import { createFakeCluster, type FakeCluster } from './fake-cluster.js';
import { waitFor } from './wait-for.js';

const waitMs = 5000;

/** One node of a small in-memory cluster whose API has the event stream. */
interface EventNode {
  name: string;
  url: string;
  server: ApiServer;
  subscribers: Set<(e: CairnEvent) => void>;
  /** Subscriptions ever made to this node. */
  subscriptions: number;
}

/** Real API servers over a shared in-memory view; `publish` pushes an event to one node's subscribers. */
function createEventCluster(names: string[]) {
  let leader = names[0]!;
  let term = 1;
  const nodes: EventNode[] = [];
  const watchers = new Set<() => void>();
  const view = () => ({
    leader,
    term,
    nodes: nodes.map((n) => ({ name: n.name, id: `peer-${n.name}`, addrs: [], labels: [], role: n.name === leader ? 'leader' : 'voter', state: 'up', slots: 2, running: 0, reason: null, api: n.url })),
  });
  const service = (node: EventNode): ApiService => ({
    cluster: async () => view(),
    nodes: async () => view().nodes,
    submit: async () => ({ id: 'x', state: 'queued' }),
    jobs: async () => [],
    job: async (id) => ({ id }),
    async *logs() { /* no logs here */ },
    cancel: async () => ({}),
    history: async () => [],
    pipelines: async () => [],
    addPipeline: async (r) => r,
    removePipeline: async (name) => ({ name }),
    health: async () => ({ ok: true }),
    metrics: async () => ({ contentType: 'text/plain', body: '' }),
    async *events(signal) {
      const queue: CairnEvent[] = [];
      let wake: (() => void) | null = null;
      const push = (e: CairnEvent): void => { queue.push(e); wake?.(); };
      const onAbort = (): void => wake?.();
      node.subscribers.add(push);
      node.subscriptions++;
      signal.addEventListener('abort', onAbort);
      for (const w of [...watchers]) w();
      try {
        while (!signal.aborted) {
          while (queue.length > 0) yield queue.shift()!;
          await new Promise<void>((resolve) => { wake = resolve; });
          wake = null;
        }
      } finally {
        node.subscribers.delete(push);
        signal.removeEventListener('abort', onAbort);
        for (const w of [...watchers]) w();
      }
    },
  });
  return {
    nodes,
    setLeader(name: string) { leader = name; term++; },
    async start() {
      for (const name of names) {
        const node: EventNode = { name, url: '', server: undefined as unknown as ApiServer, subscribers: new Set(), subscriptions: 0 };
        node.server = createApiServer({ host: '127.0.0.1', port: 0, service: service(node) });
        nodes.push(node);
        node.url = await node.server.start();
      }
    },
    node(name: string): EventNode { return nodes.find((n) => n.name === name)!; },
    publish(name: string, e: CairnEvent) { for (const s of [...this.node(name).subscribers]) s(e); },
    /** Resolves once `pred` holds of the nodes' subscriptions; rejects after the timeout. */
    until(pred: () => boolean, what: string): Promise<void> {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!pred()) return;
          clearTimeout(timer);
          watchers.delete(check);
          resolve();
        };
        const timer = setTimeout(() => { watchers.delete(check); reject(new Error(`timed out waiting for ${what}`)); }, waitMs);
        watchers.add(check);
        check();
      });
    },
    async stop() {
      for (const n of nodes) {
        n.server.app.server.closeAllConnections();
        await n.server.stop();
      }
    },
  };
}

type EventCluster = ReturnType<typeof createEventCluster>;

let cluster: EventCluster | null = null;
let fake: FakeCluster | null = null;
let session: ReplSession | null = null;
const cleanups: Array<() => void> = [];

afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  await session?.stop();
  await cluster?.stop();
  await fake?.stop();
  session = null;
  cluster = null;
  fake = null;
});

const t = 1_700_000_000_000;
const texts = (events: readonly ReplEvent[]): string[] => events.map((e) => e.text);

describe('the streaming event source in a session', () => {
  it('fills the feed from GET /v1/events on the attached node', async () => {
    cluster = createEventCluster(['a', 'b']);
    await cluster.start();
    session = createReplSession({ url: cluster.node('a').url, pollIntervalMs: 100, pollTimeoutMs: 1000 });
    session.start();
    const c = cluster;
    await c.until(() => c.node('a').subscribers.size === 1, 'a subscription on a');
    c.publish('a', { kind: 'job-queued', job: 'j1', name: 'build', timeMs: t });
    c.publish('a', { kind: 'job-started', job: 'j1', attempt: 1, node: 'b', timeMs: t });
    c.publish('a', { kind: 'custom', job: 'j1', attempt: 1, name: 'deploy', data: 'v1.2', timeMs: t });
    c.publish('a', { kind: 'job-failed', job: 'j1', attempt: 1, node: 'b', exitCode: 2, reason: 'step test failed', timeMs: t });
    c.publish('a', { kind: 'node-left', node: 'c', timeMs: t });
    const st = await waitFor(session.store, (s) => s.events.some((e) => e.kind === 'node-left'), waitMs, 'streamed events');
    // The polls see no job at all: every job entry here came from the stream.
    expect(st.jobs).toEqual([]);
    expect(texts(st.events)).toEqual([
      'job j1 build queued',
      'job j1 build running on b',
      'job j1 build deploy: v1.2',
      'job j1 build failed on b: step test failed (exit 2)',
      'node c left the cluster',
    ]);
    expect(st.events.map((e) => e.tone)).toEqual(['info', 'info', 'info', 'bad', 'warn']);
  });

  it('subscribes again on the new node when the connection moves, and drops the old stream', async () => {
    cluster = createEventCluster(['a', 'b']);
    await cluster.start();
    session = createReplSession({ url: cluster.node('a').url, pollIntervalMs: 100, pollTimeoutMs: 1000 });
    session.start();
    const c = cluster;
    await c.until(() => c.node('a').subscribers.size === 1, 'a subscription on a');
    c.setLeader('b');
    await waitFor(session.store, (s) => s.header.attachedName === 'b', waitMs, 'the move to b');
    await c.until(() => c.node('b').subscribers.size === 1 && c.node('a').subscribers.size === 0, 'the stream to move to b');
    c.publish('b', { kind: 'job-finished', job: 'j2', attempt: 1, node: 'a', durationMs: 1500, timeMs: t });
    const st = await waitFor(session.store, (s) => s.events.some((e) => e.kind === 'job-finished'), waitMs, 'an event from b');
    // The leader change may also show, from the polls, if they saw it before the stream was up.
    expect(texts(st.events)[0]).toBe('reattached to b (the leader)');
    expect(texts(st.events).at(-1)).toBe('job j2 succeeded on a in 1.5 s');
    expect(c.node('a').subscriptions).toBe(1);
    expect(c.node('b').subscriptions).toBe(1);
  });
});

describe('createStreamingEventSource', () => {
  it('resubscribes after the stream breaks, with the events that follow', async () => {
    cluster = createEventCluster(['a']);
    await cluster.start();
    const c = cluster;
    const connection = new ClusterConnection({ url: c.node('a').url });
    const modes: EventStreamMode[] = [];
    const source = createStreamingEventSource({ connection, now: () => t, resubscribeDelayMinMs: 10, resubscribeDelayMaxMs: 40, onModeChange: (m) => modes.push(m) });
    const got: ReplEvent[] = [];
    let arrived: () => void = () => undefined;
    const first = new Promise<void>((resolve) => { arrived = resolve; });
    cleanups.push(source.start((e) => { got.push(e); arrived(); }));
    await c.until(() => c.node('a').subscribers.size === 1, 'the first subscription');
    c.node('a').server.app.server.closeAllConnections();
    await c.until(() => c.node('a').subscriptions === 2 && c.node('a').subscribers.size === 1, 'the second subscription');
    c.publish('a', { kind: 'node-down', node: 'b', timeMs: t });
    await first;
    expect(got).toEqual([{ at: t, kind: 'node-down', text: 'node b lost', tone: 'bad' }]);
    expect(modes.slice(0, 3)).toEqual(['streaming', 'connecting', 'streaming']);
  });

  it('falls back to the polls when the node has no event stream (501)', async () => {
    fake = createFakeCluster(['a', 'b']);
    await fake.start();
    const connection = new ClusterConnection({ url: fake.nodes[0]!.url });
    let polling: () => void = () => undefined;
    const fellBack = new Promise<void>((resolve) => { polling = resolve; });
    const source = createStreamingEventSource({ connection, now: () => t, onModeChange: (m) => { if (m === 'polling') polling(); } });
    const got: ReplEvent[] = [];
    cleanups.push(source.start((e) => got.push(e)));
    await fellBack;
    expect(source.mode).toBe('polling');
    const cluster1 = await connection.refresh();
    source.observe({ cluster: cluster1, jobs: [] });
    await fake.kill('a');
    const cluster2 = await connection.refresh();
    source.observe({ cluster: cluster2, jobs: [] });
    expect(texts(got)).toContain('leader is now b, term 4 (was a)');
  });
});

describe('replEventOf and parseStreamedEvent', () => {
  const ctx = { label: (job: string) => (job === 'j1' ? 'j1 build' : job), previousLeader: 'a' };
  const table: Array<[CairnEvent, ReplEvent['kind'], string]> = [
    [{ kind: 'job-queued', job: 'j1', name: 'build', timeMs: t }, 'job-submitted', 'job j1 build queued'],
    [{ kind: 'job-started', job: 'j1', attempt: 2, node: 'b', timeMs: t }, 'job-started', 'job j1 build running on b (attempt 2)'],
    [{ kind: 'job-finished', job: 'j1', attempt: 1, node: 'b', durationMs: 65_000, timeMs: t }, 'job-finished', 'job j1 build succeeded on b in 65 s'],
    [{ kind: 'job-failed', job: 'j9', attempt: 1, node: 'b', exitCode: null, reason: 'node lost', timeMs: t }, 'job-finished', 'job j9 failed on b: node lost'],
    [{ kind: 'job-cancelled', job: 'j1', attempt: null, timeMs: t }, 'job-finished', 'job j1 build cancelled'],
    [{ kind: 'job-retried', job: 'j1', attempt: 2, reason: 'node lost', timeMs: t }, 'job-retried', 'job j1 build retried: attempt 2 (node lost)'],
    [{ kind: 'node-joined', node: 'c', timeMs: t }, 'node-joined', 'node c joined'],
    [{ kind: 'leader-changed', leader: 'b', term: 5, timeMs: t }, 'leader-changed', 'leader is now b, term 5 (was a)'],
    [{ kind: 'leader-changed', leader: null, term: 5, timeMs: t }, 'leader-changed', 'leader a lost; election under way'],
  ];
  it.each(table)('%j', (e, kind, text) => {
    expect(replEventOf(e, 7, ctx)).toMatchObject({ at: 7, kind, text });
  });

  it('keeps known events and drops the subscribed line, unknown kinds and malformed ones', () => {
    expect(parseStreamedEvent({ kind: 'node-down', node: 'b', timeMs: t, extra: 1 })).toEqual({ kind: 'node-down', node: 'b', timeMs: t });
    expect(parseStreamedEvent({ kind: 'subscribed' })).toBeNull();
    expect(parseStreamedEvent({ kind: 'node-renamed', node: 'b', timeMs: t })).toBeNull();
    expect(parseStreamedEvent({ kind: 'job-started', job: 'j1', timeMs: t })).toBeNull();
  });
});
