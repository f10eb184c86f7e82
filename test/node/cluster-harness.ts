/**
 * Real `cairn node` processes on loopback for the cluster tests and the cluster benchmark:
 * each node runs `node dist/cairn.js node start` with its own data dir in a temporary folder,
 * its API on a port the kernel picks (read back from its stdout), its logs in files. Every wait
 * polls the API (or a log file) with a deadline; `stopAll()` kills whatever is left.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI (`npm run build`); CAIRN_BIN points elsewhere (a private build while dist/ is being rebuilt). */
export const cairnBin = process.env.CAIRN_BIN ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/cairn.js');
/** How long a node gets to print its API address after it was spawned (a loaded 2-core box is slow to load the bundle). */
const nodeUpWaitMs = 30_000;
/** How long a fresh cluster gets to elect a leader and see every node up as a voter. */
const clusterFormWaitMs = 45_000;
/** One API request gives up after this long (a stopped or dying node may never answer). */
const requestTimeoutMs = 5_000;
const pollMs = 25;

export function assertBuilt(): void {
  if (!existsSync(cairnBin)) throw new Error(`${cairnBin} is missing: run 'npm run build' first`);
}

/** Resolves with `fn()`'s first truthy value; rejects after `timeoutMs` naming `what` and the last value seen. */
/** How long dispose() waits for each SIGKILLed node to be reaped before removing its directory. */
const disposeExitWaitMs = 5000;

/** Resolves with `p`, or with null once `ms` have passed: a bound on a wait, never a wait in itself. */
export function withinMs<T>(p: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  return Promise.race([p, bound]).finally(() => clearTimeout(timer));
}

export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs: number, everyMs = pollMs): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let last: unknown = undefined;
  for (;;) {
    try {
      const v = await fn();
      if (v !== null && v !== undefined && v !== false) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A TCP port that was free a moment ago (for `--detach`, which must know its API port in advance). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a !== null ? res(a.port) : rej(new Error('no port'))));
    });
  });
}

/** An API answer: the HTTP status and the parsed JSON body. */
export interface ApiAnswer<T> {
  status: number;
  body: T;
}

/** GET or POST JSON to a node's API. Throws on network errors (a dead node), not on HTTP errors. */
export async function api<T = any>(url: string, path: string, body?: unknown, timeoutMs = requestTimeoutMs): Promise<ApiAnswer<T>> {
  const res = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the `cairn` CLI to completion without blocking this process's event loop. */
export function cli(args: string[], timeoutMs = 60_000): Promise<CliRun> {
  return new Promise((res) => {
    execFile(process.execPath, [cairnBin, ...args], { timeout: timeoutMs, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      res({ code, stdout, stderr });
    });
  });
}

export interface NodeSpec {
  name: string;
  labels?: string[];
  slots?: number;
  /** Join with this key file instead of the founder's (to test a wrong key). */
  clusterKey?: string;
  /** Extra environment for the daemon. */
  env?: Record<string, string>;
}

/** One `cairn node start` process. */
export class NodeProc {
  readonly name: string;
  readonly dataDir: string;
  readonly proc: ChildProcess;
  readonly pid: number;
  apiUrl = '';
  /** Its libp2p addresses (with /p2p/ id), as printed on stdout. */
  addrs: string[] = [];
  exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly outFile: string;
  private readonly errFile: string;

  constructor(readonly spec: NodeSpec, dir: string, args: string[], boot: number) {
    this.name = spec.name;
    this.dataDir = join(dir, spec.name);
    mkdirSync(this.dataDir, { recursive: true });
    this.outFile = join(dir, `${spec.name}.${boot}.out`);
    this.errFile = join(dir, `${spec.name}.${boot}.err`);
    const out = openSync(this.outFile, 'w');
    const err = openSync(this.errFile, 'w');
    this.proc = spawn(process.execPath, [cairnBin, ...args], {
      stdio: ['ignore', out, err],
      env: { ...process.env, CAIRN_PRINT_ADDRS: '1', NO_COLOR: '1', ...spec.env },
    });
    closeSync(out);
    closeSync(err);
    if (this.proc.pid === undefined) throw new Error(`could not spawn node ${spec.name}`);
    this.pid = this.proc.pid;
    this.exited = new Promise((res) => {
      this.proc.once('exit', (code, signal) => {
        this.exit = { code, signal };
        res(this.exit);
      });
    });
  }

  get alive(): boolean {
    return this.exit === null;
  }

  stdout(): string {
    return readFileSync(this.outFile, 'utf8');
  }

  stderr(): string {
    return readFileSync(this.errFile, 'utf8');
  }

  /** The pino records on stderr (one JSON object a line). */
  logs(): Array<Record<string, any>> {
    return this.stderr()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, any>);
  }

  /** Waits until the node printed its API URL and libp2p addresses. */
  async up(): Promise<void> {
    const m = await waitFor(`node ${this.name} to print its addresses`, () => {
      if (!this.alive) throw new Error(`node ${this.name} exited ${JSON.stringify(this.exit)}: ${this.stderr().slice(-2000)}`);
      return /API (\S+)\n\s+join with: (.*)\n/.exec(this.stdout());
    }, nodeUpWaitMs);
    this.apiUrl = m[1]!;
    this.addrs = [...m[2]!.matchAll(/--join (\S+)/g)].map((x) => x[1]!);
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.alive) this.proc.kill(signal);
  }

  /** `git rev-parse HEAD` and the subject (which starts with the log index) of its history store. */
  async head(): Promise<{ hash: string; subject: string }> {
    const out = await new Promise<string>((res, rej) =>
      execFile('git', ['-C', join(this.dataDir, 'store'), 'log', '-1', '--format=%H %s'], (e, so) => (e ? rej(e) : res(so))),
    );
    const [hash, ...rest] = out.trim().split(' ');
    return { hash: hash!, subject: rest.join(' ') };
  }
}

/** What `GET /v1/jobs/{id}` answers (the fields the tests read). */
/** The states a job (or a run) ends in. */
const endStates = ['succeeded', 'failed', 'cancelled', 'lost'];

/** Waits until the job or run `id` has ended, asking the API at `url` every `everyMs`; returns its view. */
export function jobEnded(url: string, id: string, timeoutMs: number, everyMs = 100): Promise<JobView> {
  return waitFor(`${id} to end`, async () => {
    const v = (await api<JobView>(url, `/v1/jobs/${id}`)).body;
    return endStates.includes(v.state) ? v : null;
  }, timeoutMs, everyMs);
}

export interface JobView {
  id: string;
  name: string;
  state: string;
  node: string | null;
  labels: string[];
  reason: string | null;
  attempts: Array<{ n: number; job: string; node: string; state: string; exitCode: number | null; placedAt: number; startedAt: number | null; finishedAt: number | null; reason: string | null }>;
  jobs: Array<{ id: string; name: string; state: string; node: string | null }>;
  submittedAt: number;
}

/** What `GET /v1/cluster` answers. */
export interface ClusterView {
  leader: string | null;
  term: number;
  nodes: Array<{ name: string; id: string; addrs: string[]; labels: string[]; role: string; state: string; slots: number; running: number; draining: boolean }>;
}

/** A cluster of real node processes in one temporary folder. */
export class TestCluster {
  readonly dir: string;
  readonly nodes = new Map<string, NodeProc>();
  private readonly all: NodeProc[] = [];
  private boots = 0;

  constructor(prefix = 'cairn-cluster-') {
    assertBuilt();
    this.dir = mkdtempSync(join(tmpdir(), prefix));
  }

  /** The founder's key file, which every other node joins with. */
  get keyFile(): string {
    return join(this.dir, this.all[0]!.name, 'cluster.key');
  }

  /** Starts a founder and `specs.length - 1` joiners; resolves once all are up voters under one leader. */
  static async start(specs: NodeSpec[], prefix?: string): Promise<TestCluster> {
    const c = new TestCluster(prefix);
    try {
      const [first, ...rest] = specs;
      await c.startNode(first!);
      await Promise.all(rest.map((s) => c.startNode(s)));
      await c.waitFormed(specs.map((s) => s.name));
    } catch (err) {
      c.stopAll();
      throw err;
    }
    return c;
  }

  node(name: string): NodeProc {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  /** Live nodes. */
  live(): NodeProc[] {
    return [...this.nodes.values()].filter((n) => n.alive);
  }

  /** Starts (or restarts, on its existing data dir) one node; joins through the live nodes unless it founds. */
  async startNode(spec: NodeSpec, opts: { extraArgs?: string[] } = {}): Promise<NodeProc> {
    const founding = this.all.length === 0;
    const joinAddrs = founding ? [] : this.live().flatMap((n) => n.addrs);
    const args = [
      'node', 'start', '--name', spec.name, '--data-dir', join(this.dir, spec.name), '--api', '127.0.0.1:0',
      '--slots', String(spec.slots ?? 2),
      ...(spec.labels?.length ? ['--labels', spec.labels.join(',')] : []),
      ...(founding ? [] : ['--cluster-key', spec.clusterKey ?? this.keyFile]),
      ...joinAddrs.flatMap((a) => ['--join', a]),
      ...(opts.extraArgs ?? []),
    ];
    const n = new NodeProc(spec, this.dir, args, ++this.boots);
    this.all.push(n);
    this.nodes.set(spec.name, n);
    await n.up();
    return n;
  }

  /** Waits until every named node is up and every live node agrees on one leader among them. */
  async waitFormed(names: string[], timeoutMs = clusterFormWaitMs): Promise<ClusterView> {
    return waitFor(`nodes ${names.join(', ')} to form a cluster`, async () => {
      let view: ClusterView | null = null;
      for (const n of this.live()) {
        const v = (await api<ClusterView>(n.apiUrl, '/v1/cluster')).body;
        if (v.leader === null || (view !== null && v.leader !== view.leader)) return null;
        view = v;
      }
      if (view === null) return null;
      const ok = names.every((name) => view.nodes.some((x) => x.name === name && x.state === 'up' && (x.role === 'voter' || x.role === 'leader')));
      return ok ? view : null;
    }, timeoutMs);
  }

  /** The leader as the named live node sees it (or any live node). */
  async leader(via?: string): Promise<string | null> {
    const n = via ? this.node(via) : this.live()[0]!;
    return (await api<ClusterView>(n.apiUrl, '/v1/cluster')).body.leader;
  }

  /** Submits pipeline text through a node's REST API. */
  async submit(via: string, pipeline: string, file = 'test.yml'): Promise<ApiAnswer<{ id: string; state: string; jobs: string[] }>> {
    return api(this.node(via).apiUrl, '/v1/jobs', { pipeline, file });
  }

  /** Waits until every live node reports the same store HEAD; returns it. */
  async sameHead(timeoutMs = 15_000): Promise<{ hash: string; subject: string }> {
    return waitFor('every node to have the same history HEAD', async () => {
      const heads = await Promise.all(this.live().map((n) => n.head()));
      return heads.every((h) => h.hash === heads[0]!.hash) ? heads[0]! : null;
    }, timeoutMs, 100);
  }

  /** SIGKILLs every node still running (afterAll), then removes the folder unless KEEP_CLUSTER is set. */
  stopAll(): void {
    for (const n of this.all) n.kill('SIGKILL');
  }

  async dispose(): Promise<void> {
    this.stopAll();
    await Promise.all(this.all.map((n) => withinMs(n.exited, disposeExitWaitMs)));
    if (!process.env.KEEP_CLUSTER) rmSync(this.dir, { recursive: true, force: true });
  }
}
