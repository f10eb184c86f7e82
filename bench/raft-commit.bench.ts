/**
 * `npm run bench -- raft-commit`: what committing through Raft costs with the real
 * write-ahead log on disk. Three nodes in one process, each with its own WAL in a temp dir,
 * messages passed in-process, driven by the pure core (src/raft) through its Ready loop:
 * persist (one fsync per Ready batch), send, apply, advance.
 *
 * Figures, each also as a ratio against a baseline measured in the same run (the fdatasync of
 * a 100-byte append), because this machine is shared and noisy:
 *   - the WAL alone: one save, and 64 concurrent saves (group commit);
 *   - Raft: committed entries/s with many proposals in flight (batching), and p50/p99 commit
 *     latency (propose → applied on the leader) for sequential and for 64 concurrent
 *     proposers; then etcd's figures measured on this machine (../shared/peers/RESULTS.md).
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRaft, MemoryStorage, type Entry, type Message, type NodeId, type RaftNode, type Random } from '../src/raft/index.js';
import { assert } from '../src/util/errors.js';
import { openWal, type Wal } from '../src/wal/index.js';

/** Samples of the fsync baseline: enough for a stable median on a noisy VM. */
const baselineSamples = 1000;
/** Saves of the WAL-alone figures. */
const walSequentialSaves = 1000;
const walConcurrentSaves = 8000;
const walConcurrency = 64;
/** Payload of one entry: a small cluster command, like etcd's 100-byte puts. */
const entryBytes = 100;

/** etcd 3.4 on this machine, from ../shared/peers/RESULTS.md (two runs). */
const etcd = {
  sequentialPerS: [596, 645],
  sequentialMedianMs: [1.62, 1.47],
  sequentialP99Ms: [2.9, 3.07],
  concurrentPerS: [1428, 1381],
  concurrentMedianMs: [5.1, 5.4],
  fsyncMedianMs: 0.205,
  ratioToFsync: 7.9,
};

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

export const nowMs = (): number => performance.now();

const fmt = (n: number, digits = 3): string => (Number.isFinite(n) ? n.toFixed(digits) : String(n));

/** Median and p99 of fdatasync after a 100-byte append: the floor of any durable commit. */
async function fsyncBaseline(dir: string): Promise<{ medianMs: number; p99Ms: number }> {
  const fh = await open(join(dir, 'baseline.dat'), 'a');
  const buf = Buffer.alloc(100, 7);
  const samples: number[] = [];
  try {
    for (let i = 0; i < baselineSamples; i++) {
      const t0 = nowMs();
      await fh.write(buf);
      await fh.datasync();
      samples.push(nowMs() - t0);
    }
  } finally {
    await fh.close();
  }
  samples.sort((a, b) => a - b);
  return { medianMs: percentile(samples, 50), p99Ms: percentile(samples, 99) };
}

function payloadEntry(index: number): Entry {
  return { index, term: 1, type: 'normal', data: new Uint8Array(entryBytes).fill(index & 0xff) };
}

/** The WAL alone: sequential saves (latency) and concurrent ones (group commit throughput). */
async function walFigures(dir: string): Promise<{ seqMedianMs: number; seqP99Ms: number; concPerS: number; savesPerFsync: number }> {
  const { wal } = await openWal(join(dir, 'wal-alone'));
  const samples: number[] = [];
  let index = 1;
  for (let i = 0; i < walSequentialSaves; i++, index++) {
    const t0 = nowMs();
    await wal.save({ term: 1, vote: 'a', commit: index - 1 }, [payloadEntry(index)]);
    samples.push(nowMs() - t0);
  }
  samples.sort((a, b) => a - b);
  const fsyncsBefore = wal.stats().fsyncs;
  const t0 = nowMs();
  let issued = 0;
  const worker = async (): Promise<void> => {
    while (issued < walConcurrentSaves) {
      issued++;
      const i = index++;
      await wal.save({ term: 1, vote: 'a', commit: i - 1 }, [payloadEntry(i)]);
    }
  };
  await Promise.all(Array.from({ length: walConcurrency }, worker));
  const elapsedMs = nowMs() - t0;
  const fsyncs = wal.stats().fsyncs - fsyncsBefore;
  await wal.close();
  return {
    seqMedianMs: percentile(samples, 50),
    seqP99Ms: percentile(samples, 99),
    concPerS: (walConcurrentSaves / elapsedMs) * 1000,
    savesPerFsync: walConcurrentSaves / fsyncs,
  };
}

interface LatencyFigures {
  perS: number;
  p50Ms: number;
  p99Ms: number;
}

interface RaftFigures {
  nodes: number;
  tickMs: number;
  batch: LatencyFigures & { inFlight: number; entriesPerFsync: number };
  sequential: LatencyFigures;
  concurrent: LatencyFigures & { proposers: number };
}

/** Ticks: a 100 ms heartbeat and a 1,000-2,000 ms election timeout, as the issue sets. */
const tickMs = 100;
const nodeIds = ['n1', 'n2', 'n3'];
/** Raft scenarios: sizes and a bound on each, so a stuck cluster fails instead of hanging. */
const sequentialProposals = 2000;
const concurrentProposers = 64;
const concurrentProposals = 20_000;
const batchInFlight = 1024;
const batchProposals = 60_000;
const scenarioTimeoutMs = 120_000;
/** Whole-cluster repetitions; the median is reported (odd, so there is one). */
const raftRuns = 3;

/** Seeded PRNG (mulberry32) for the cores' election timeouts. */
function seeded(seed: number): Random {
  let a = seed >>> 0;
  return {
    int(n: number): number {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = Math.imul(a ^ (a >>> 15), a | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
    },
  };
}

interface BenchNode {
  id: NodeId;
  raft: RaftNode;
  storage: MemoryStorage;
  wal: Wal;
  pumping: boolean;
}

interface Waiter {
  term: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Three nodes in this process. Each runs the Ready loop of raw-node.ts: persist to its own
 * WAL (one save, so one fsync, per Ready; none when `mustSync` is false), send, apply,
 * advance. Messages are stepped into the receiver as they are sent; what they cause goes
 * into the receiver's next Ready, so proposals and acks that arrive during an fsync batch up.
 */
class Cluster {
  readonly nodes = new Map<NodeId, BenchNode>();
  private readonly waiters = new Map<number, Waiter>();
  private failure: Error | null = null;
  private ticker: NodeJS.Timeout | null = null;
  private leaderUp: (() => void) | null = null;

  static async start(dir: string): Promise<Cluster> {
    const c = new Cluster();
    for (const [i, id] of nodeIds.entries()) {
      const { wal } = await openWal(join(dir, id, 'raft'));
      const storage = MemoryStorage.bootstrap({ voters: nodeIds, learners: [] });
      const raft = createRaft({ id, storage, random: seeded(i + 1), electionTimeoutTicks: 10, heartbeatIntervalTicks: 1 });
      c.nodes.set(id, { id, raft, storage, wal, pumping: false });
    }
    c.ticker = setInterval(() => {
      for (const n of c.nodes.values()) {
        n.raft.tick();
        c.kick(n);
      }
    }, tickMs);
    const up = new Promise<void>((resolve) => (c.leaderUp = resolve));
    const first = c.nodes.get(nodeIds[0] ?? '');
    assert(first !== undefined, 'cluster has nodes');
    // Campaign at once rather than waiting out an election timeout: we measure commits.
    first.raft.campaign();
    c.kick(first);
    await withTimeout(up, 10_000, 'no leader elected');
    return c;
  }

  leader(): BenchNode {
    for (const n of this.nodes.values()) if (n.raft.status().role === 'leader') return n;
    throw new Error('no leader');
  }

  /** Proposes on the leader; resolves when the leader has applied the entry. */
  propose(data: Uint8Array): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const leader = this.leader();
    const res = leader.raft.propose(data);
    if (res.kind !== 'appended') return Promise.reject(new Error(`proposal ${res.kind}: ${JSON.stringify(res)}`));
    const done = new Promise<void>((resolve, reject) => this.waiters.set(res.index, { term: res.term, resolve, reject }));
    this.kick(leader);
    return done;
  }

  fsyncs(id: NodeId): number {
    return this.nodes.get(id)?.wal.stats().fsyncs ?? 0;
  }

  async stop(): Promise<void> {
    if (this.ticker !== null) clearInterval(this.ticker);
    for (const n of this.nodes.values()) await n.wal.close();
  }

  private kick(n: BenchNode): void {
    if (n.pumping || this.failure !== null) return;
    n.pumping = true;
    this.pump(n).catch((err: unknown) => this.fail(err));
  }

  private async pump(n: BenchNode): Promise<void> {
    while (n.raft.hasReady()) {
      const rd = n.raft.ready();
      // 1. persist (snapshot, entries, hard state), fsync once unless nothing needs it.
      await n.wal.save(rd.hardState, rd.entries, rd.snapshot, { sync: rd.mustSync });
      if (rd.snapshot !== null) n.storage.applySnapshot(rd.snapshot);
      n.storage.append(rd.entries);
      if (rd.hardState !== null) n.storage.setHardState(rd.hardState);
      // 2. send.
      for (const m of rd.messages) this.deliver(m);
      // 3. apply.
      if (rd.committedEntries.length > 0) this.apply(n, rd.committedEntries);
      // 4. advance.
      n.raft.advance();
    }
    n.pumping = false;
  }

  private deliver(m: Message): void {
    const to = this.nodes.get(m.to);
    if (to === undefined) return;
    to.raft.step(m);
    this.kick(to);
  }

  private apply(n: BenchNode, committed: Entry[]): void {
    const st = n.raft.status();
    if (st.role !== 'leader') return;
    for (const e of committed) {
      if (e.term === st.term && this.leaderUp !== null) {
        this.leaderUp();
        this.leaderUp = null;
      }
      const w = this.waiters.get(e.index);
      if (w === undefined) continue;
      this.waiters.delete(e.index);
      if (w.term === e.term) w.resolve();
      else w.reject(new Error(`entry ${e.index} was overwritten (term ${w.term} → ${e.term})`));
    }
  }

  private fail(err: unknown): void {
    this.failure = err instanceof Error ? err : new Error(String(err));
    for (const w of this.waiters.values()) w.reject(this.failure);
    this.waiters.clear();
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * `proposers` loops, each proposing and waiting for its entry to be applied on the leader,
 * until `total` proposals: throughput and the propose → applied latency of each.
 */
async function drive(c: Cluster, proposers: number, total: number): Promise<LatencyFigures & { leaderFsyncs: number }> {
  const data = new Uint8Array(entryBytes).fill(42);
  const latencies: number[] = [];
  const leader = c.leader().id;
  const fsyncs0 = c.fsyncs(leader);
  let issued = 0;
  const loop = async (): Promise<void> => {
    while (issued < total) {
      issued++;
      const t0 = nowMs();
      await c.propose(data);
      latencies.push(nowMs() - t0);
    }
  };
  const t0 = nowMs();
  await withTimeout(Promise.all(Array.from({ length: proposers }, loop)), scenarioTimeoutMs, `${total} proposals`);
  const elapsedMs = nowMs() - t0;
  latencies.sort((a, b) => a - b);
  return {
    perS: (total / elapsedMs) * 1000,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    leaderFsyncs: c.fsyncs(leader) - fsyncs0,
  };
}

async function runRaftScenarios(dir: string): Promise<RaftFigures> {
  const c = await Cluster.start(dir);
  try {
    // Warm up (JIT, file allocation) before measuring.
    await drive(c, 16, 2000);
    const sequential = await drive(c, 1, sequentialProposals);
    const concurrent = await drive(c, concurrentProposers, concurrentProposals);
    const batch = await drive(c, batchInFlight, batchProposals);
    return {
      nodes: c.nodes.size,
      tickMs,
      sequential,
      concurrent: { ...concurrent, proposers: concurrentProposers },
      batch: { ...batch, inFlight: batchInFlight, entriesPerFsync: batchProposals / Math.max(1, batch.leaderFsyncs) },
    };
  } finally {
    await c.stop();
  }
}

/** Per scenario, the run with the median throughput (its latencies come from the same run). */
function medianRun(runs: RaftFigures[]): RaftFigures {
  const pick = <K extends 'batch' | 'sequential' | 'concurrent'>(k: K): RaftFigures[K] => {
    const sorted = runs.map((r) => r[k]).sort((a, b) => a.perS - b.perS);
    const mid = sorted[Math.floor(sorted.length / 2)];
    assert(mid !== undefined, 'at least one run');
    return mid;
  };
  const first = runs[0];
  assert(first !== undefined, 'at least one run');
  return { ...first, batch: pick('batch'), sequential: pick('sequential'), concurrent: pick('concurrent') };
}

function printRaft(r: RaftFigures, fsyncMs: number): void {
  const out = (s: string): boolean => process.stdout.write(s + '\n');
  out(`raft: ${r.nodes} nodes in one process, a real WAL each, heartbeat every ${r.tickMs} ms tick:`);
  out(
    `  batching (${r.batch.inFlight} proposals in flight): ${fmt(r.batch.perS, 0)} committed entries/s; ` +
      `${fmt(r.batch.entriesPerFsync, 1)} entries per leader fsync; p50 ${fmt(r.batch.p50Ms)} ms, p99 ${fmt(r.batch.p99Ms)} ms`,
  );
  out(
    `  sequential (1 proposer): ${fmt(r.sequential.perS, 0)} commits/s; p50 ${fmt(r.sequential.p50Ms)} ms (${fmt(r.sequential.p50Ms / fsyncMs, 1)}× fsync), ` +
      `p99 ${fmt(r.sequential.p99Ms)} ms (${fmt(r.sequential.p99Ms / fsyncMs, 1)}× fsync)`,
  );
  out(
    `  concurrent (${r.concurrent.proposers} proposers): ${fmt(r.concurrent.perS, 0)} commits/s; p50 ${fmt(r.concurrent.p50Ms)} ms ` +
      `(${fmt(r.concurrent.p50Ms / fsyncMs, 1)}× fsync), p99 ${fmt(r.concurrent.p99Ms)} ms`,
  );
}

export default async function (): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-bench-raft-'));
  const out = (s: string): boolean => process.stdout.write(s + '\n');
  try {
    const base = await fsyncBaseline(dir);
    out(`baseline: fdatasync of a 100-byte append: median ${fmt(base.medianMs)} ms, p99 ${fmt(base.p99Ms)} ms (n=${baselineSamples})`);

    const w = await walFigures(dir);
    out(
      `wal alone: one save of a ${entryBytes}-byte entry: median ${fmt(w.seqMedianMs)} ms (${fmt(w.seqMedianMs / base.medianMs, 2)}× fsync), p99 ${fmt(w.seqP99Ms)} ms; ` +
        `${walConcurrency} concurrent savers: ${fmt(w.concPerS, 0)} saves/s, ${fmt(w.savesPerFsync, 1)} saves per fsync (group commit)`,
    );

    // This VM is shared: run the cluster a few times and report, per scenario, the median run.
    const runs: RaftFigures[] = [];
    for (let i = 0; i < raftRuns; i++) runs.push(await runRaftScenarios(join(dir, `cluster-${i}`)));
    const r = medianRun(runs);
    out(`(machine load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores; median of ${raftRuns} runs per figure)`);
    printRaft(r, base.medianMs);

    const target = 5000;
    out('');
    out('comparison with etcd 3.4 on this machine (../shared/peers/RESULTS.md; its fsync baseline 0.205 ms).');
    out('  Not like for like: etcd was driven over HTTP from another process; here proposals are in-process calls.');
    out(`  sequential: etcd ${etcd.sequentialPerS.join('/')} puts/s, median ${etcd.sequentialMedianMs.join('/')} ms (${etcd.ratioToFsync}× fsync)` +
      ` | cairn ${fmt(r.sequential.perS, 0)} commits/s, median ${fmt(r.sequential.p50Ms)} ms (${fmt(r.sequential.p50Ms / base.medianMs, 1)}× fsync)` +
      ` → ${fmt(r.sequential.perS / etcd.sequentialPerS[0]!, 1)}× etcd's rate`);
    out(`  concurrent: etcd ${etcd.concurrentPerS.join('/')} puts/s with 8 clients, median ${etcd.concurrentMedianMs.join('/')} ms` +
      ` | cairn ${fmt(r.concurrent.perS, 0)} commits/s with ${r.concurrent.proposers} proposers, median ${fmt(r.concurrent.p50Ms)} ms` +
      ` → ${fmt(r.concurrent.perS / etcd.concurrentPerS[0]!, 1)}× etcd's rate`);
    out(`  batching: ${fmt(r.batch.perS, 0)} committed entries/s against the target of ≥ ${target}: ${r.batch.perS >= target ? 'MET' : 'NOT MET'}` +
      ` (${fmt(r.batch.perS / etcd.concurrentPerS[0]!, 1)}× etcd's concurrent rate)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
