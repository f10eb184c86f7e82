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
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWal } from '../src/wal/index.js';
import type { Entry } from '../src/raft/types.js';

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

async function runRaftScenarios(_dir: string): Promise<RaftFigures | null> {
  return null;
}

function printRaft(r: RaftFigures, fsyncMs: number): void {
  const out = (s: string): boolean => process.stdout.write(s + '\n');
  out(`raft, 3 nodes, real WAL per node (${r.nodes} nodes, heartbeat ${r.tickMs} ms tick):`);
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

    const r = await runRaftScenarios(join(dir, 'cluster'));
    if (r === null) {
      out('raft: the core (src/raft/index.ts) is not available yet; only the WAL figures above were measured');
      return;
    }
    printRaft(r, base.medianMs);

    const target = 5000;
    out('');
    out('comparison with etcd 3.4 on this machine (../shared/peers/RESULTS.md; its fsync baseline 0.205 ms):');
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
