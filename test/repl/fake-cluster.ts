/**
 * An in-memory cluster behind real REST API servers (src/api), one per node, for the REPL's
 * tests: the nodes share one state, as a replicated cluster would show it. Killing a node drops
 * its connections, closes its server and hands the lead to the next node up.
 */
import { createApiServer, type ApiServer, type ApiService, type LogChunk } from '../../src/api/index.js';
import { CairnError } from '../../src/util/errors.js';

export interface FakeJob {
  id: string;
  name: string;
  state: string;
  node: string | null;
  labels: string[];
  run: string;
  pipeline: string;
  reason: string | null;
  attempts: Array<{ n: number; node: string; state: string; exitCode: number | null; startedAt: number | null; finishedAt: number | null }>;
  chunks: Uint8Array[];
}

export interface FakeNode {
  name: string;
  url: string;
  alive: boolean;
  server: ApiServer;
  /** `from` of every log request this node served, for the no-gap/no-duplicate checks. */
  logFroms: Array<{ job: string; from: number }>;
  /** A frozen node keeps its connections but answers nothing (a stopped process, a partition). */
  frozen: boolean;
}

/** What the fake cluster was asked to do, for assertions. */
export interface FakeCluster {
  nodes: FakeNode[];
  jobs: Map<string, FakeJob>;
  submitted: unknown[];
  cancelled: string[];
  /** While true, `GET /v1/cluster` answers an internal error (a node that answers, badly). */
  broken: boolean;
  leader(): string | null;
  term(): number;
  start(): Promise<void>;
  addJob(job: Partial<FakeJob> & { id: string }): FakeJob;
  appendLog(id: string, text: string | Uint8Array): void;
  endJob(id: string, state: string): void;
  kill(name: string): Promise<void>;
  /** Freezes a node: requests to it hang until the cluster stops, and the lead moves. */
  freeze(name: string): void;
  stop(): Promise<void>;
}

export function createFakeCluster(names: string[], opts: { withApiUrls?: boolean; clusterName?: string } = {}): FakeCluster {
  const withApi = opts.withApiUrls ?? true;
  let leader: string | null = names[0] ?? null;
  let term = 3;
  let nextRun = 1;
  const jobs = new Map<string, FakeJob>();
  const submitted: unknown[] = [];
  const cancelled: string[] = [];
  const waiters = new Set<() => void>();
  const wake = (): void => { for (const w of [...waiters]) w(); };
  const nodes: FakeNode[] = [];
  let thaw: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => { thaw = resolve; });
  /** What a frozen node does with a request: nothing, until the cluster stops. */
  const hang = async (node: FakeNode): Promise<void> => {
    if (!node.frozen) return;
    await stopped;
    throw new CairnError('UNREACHABLE', `${node.name} is frozen`);
  };

  const view = () => ({
    ...(opts.clusterName === undefined ? {} : { cluster: opts.clusterName }),
    leader,
    term,
    nodes: nodes.map((n, i) => ({
      name: n.name,
      id: `peer-${n.name}`,
      addrs: [`/ip4/127.0.0.1/tcp/${4000 + i}`],
      labels: i === 0 ? ['maven', 'os=linux'] : ['cargo', 'os=linux'],
      role: n.name === leader ? 'leader' : 'voter',
      state: n.alive ? 'up' : 'down',
      slots: 4,
      running: [...jobs.values()].filter((j) => j.node === n.name && j.state === 'running').length,
      reason: n.alive ? null : 'heartbeats missed',
      ...(withApi ? { api: n.url } : {}),
    })),
  });

  const row = (j: FakeJob) => ({ id: j.id, name: j.name, state: j.state, node: j.node, labels: j.labels, run: j.run, pipeline: j.pipeline, attempt: j.attempts.length, reason: j.reason });
  const find = (id: string): FakeJob => {
    const j = jobs.get(id);
    if (j === undefined) throw new CairnError('NOT_FOUND', `no job or run ${id}`, { id });
    return j;
  };

  function service(node: FakeNode): ApiService {
    return {
      cluster: async () => {
        await hang(node);
        if (fake.broken) throw new CairnError('INTERNAL', 'state machine unavailable');
        return view();
      },
      nodes: async () => view().nodes,
      submit: async (req) => {
        submitted.push(req);
        if (req.pipeline === undefined && req.name !== 'registered') throw new CairnError('PIPELINE_NOT_FOUND', `no pipeline ${req.name}`);
        const run = String(nextRun++);
        const j = addJob({ id: `${run}.1`, name: 'build', run, pipeline: req.file ?? req.name ?? 'inline', state: 'queued' });
        return { id: j.id, state: j.state };
      },
      jobs: async () => {
        await hang(node);
        return [...jobs.values()].map(row);
      },
      job: async (id) => {
        await hang(node);
        const j = find(id);
        return { ...row(j), attempts: j.attempts, jobs: [{ id: j.id, name: j.name, state: j.state, node: j.node }], waiting: j.state === 'queued' ? { text: 'no node with label gpu', matching: { free: [], busy: [], down: ['b'], draining: [] }, unmet: [] } : null };
      },
      async *logs(id, { from, follow, signal }): AsyncGenerator<LogChunk> {
        const j = find(id);
        node.logFroms.push({ job: id, from });
        let i = from;
        for (;;) {
          while (i < j.chunks.length && !node.frozen) {
            yield { seq: i, data: j.chunks[i]! };
            i++;
          }
          if (!follow || signal.aborted || (!node.frozen && ['succeeded', 'failed', 'cancelled', 'lost'].includes(j.state))) return;
          await new Promise<void>((resolve) => {
            const done = (): void => { waiters.delete(done); signal.removeEventListener('abort', done); resolve(); };
            waiters.add(done);
            signal.addEventListener('abort', done);
          });
        }
      },
      cancel: async (id) => {
        const j = find(id);
        cancelled.push(id);
        j.state = 'cancelled';
        wake();
        return { id, state: j.state };
      },
      history: async ({ limit }) => [...jobs.values()].slice(0, limit).map((j) => ({ jobId: j.id, pipeline: j.pipeline, job: j.name, node: j.node ?? '-', attempt: j.attempts.length, state: j.state, exitCode: 0, finishedAt: 1_700_000_000_000 })),
      pipelines: async () => [],
      addPipeline: async (r) => r,
      removePipeline: async (name) => ({ name }),
      health: async () => ({ ok: true }),
      metrics: async () => ({ contentType: 'text/plain; version=0.0.4', body: '' }),
    };
  }

  function addJob(p: Partial<FakeJob> & { id: string }): FakeJob {
    const j: FakeJob = { name: 'build', state: 'running', node: names[0] ?? null, labels: ['os=linux'], run: p.id.split('.')[0] ?? p.id, pipeline: 'ci.yml', reason: null, attempts: [], chunks: [], ...p };
    if (j.attempts.length === 0 && j.node !== null && j.state !== 'queued') {
      j.attempts.push({ n: 1, node: j.node, state: j.state, exitCode: null, startedAt: 1_700_000_000_000, finishedAt: null });
    }
    jobs.set(j.id, j);
    return j;
  }

  const fake: FakeCluster = {
    broken: false,
    nodes,
    jobs,
    submitted,
    cancelled,
    leader: () => leader,
    term: () => term,
    async start() {
      for (const name of names) {
        const node: FakeNode = { name, url: '', alive: true, server: undefined as unknown as ApiServer, logFroms: [], frozen: false };
        node.server = createApiServer({ host: '127.0.0.1', port: 0, service: service(node) });
        nodes.push(node);
        node.url = await node.server.start();
      }
    },
    addJob,
    appendLog(id, text) {
      find(id).chunks.push(typeof text === 'string' ? Buffer.from(text) : text);
      wake();
    },
    endJob(id, state) {
      find(id).state = state;
      wake();
    },
    async kill(name) {
      const node = nodes.find((n) => n.name === name);
      if (node === undefined || !node.alive) return;
      node.alive = false;
      // Streams in flight are cut, as when the process dies; then the port stops listening.
      node.server.app.server.closeAllConnections();
      await node.server.stop();
      if (leader === name) {
        leader = nodes.find((n) => n.alive)?.name ?? null;
        term++;
      }
    },
    freeze(name) {
      const node = nodes.find((n) => n.name === name);
      if (node === undefined) return;
      node.frozen = true;
      if (leader === name) {
        leader = nodes.find((n) => n.alive && !n.frozen)?.name ?? null;
        term++;
      }
    },
    async stop() {
      thaw();
      for (const n of nodes) {
        if (!n.alive) continue;
        n.alive = false;
        n.server.app.server.closeAllConnections();
        await n.server.stop();
      }
      wake();
    },
  };
  return fake;
}
