/**
 * Store apply throughput: 1,000 jobs x 3 attempt records (queued, running, succeeded), one
 * history effect per log entry, applied in batches of several sizes. Baseline, in the same
 * run: the same JSON files written with plain fs and one fsync per batch. For scale, also
 * isomorphic-git's loose-object writes of as many objects as the store writes per entry.
 * The batch-size rows write each batch at once (batchIntervalMs 0), so they measure the cost
 * of a batch, not the pacing; the daemon's shape (one call per entry, the store pacing its
 * batches) has its own rows.
 *
 * Then the cost per applied entry against the size of the history: the same workload applied
 * to stores already holding 1,000 and 50,000 records (after a warm-up, so both have their
 * paths in memory), CPU and wall per entry, and their ratio (near 1: a commit rewrites the few
 * small trees on its record's path, whatever the history holds).
 * Run: `npm run bench -- store` (or `npx tsx -e "import('./bench/store.bench.ts').then(m => m.default())"`).
 */
import * as fs from 'node:fs';
import { cp, mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import git from 'isomorphic-git';
import { batchIntervalMsMin } from '../src/store/constants.js';
import { openStore, type HistoryRecord, type StoreEffect, type StoreEntry } from '../src/store/index.js';

/** Jobs in the workload; three records each (the daemon's shape for one successful attempt). */
const jobCount = 1000;
const states: HistoryRecord['state'][] = ['queued', 'running', 'succeeded'];

/** `jobCount` jobs from job number `firstJob` on, their entries from log index `first` on. */
function workload(firstJob = 0, first = 1): StoreEntry[] {
  const out: StoreEntry[] = [];
  let index = first - 1;
  for (let j = firstJob; j < firstJob + jobCount; j++) {
    for (const state of states) {
      index++;
      const t = 1_700_000_000_000 + index * 7;
      const record: HistoryRecord = {
        jobId: `job-${String(j).padStart(6, '0')}`, runId: `run-${j}`, pipeline: 'build', job: 'test', labels: ['linux', 'os=linux'],
        node: `node-${j % 3}`, attempt: 1, state, exitCode: state === 'succeeded' ? 0 : null, queuedAt: t - 20,
        startedAt: state === 'queued' ? null : t - 10, finishedAt: state === 'succeeded' ? t : null,
        logDigest: state === 'succeeded' ? 'ab'.repeat(32) : null, logBytes: state === 'succeeded' ? 2048 : 0,
      };
      out.push({ index, term: 1, timeMs: t, effects: [{ kind: 'history', record }] });
    }
  }
  return out;
}

/** Rounds per figure; the median is reported. */
const rounds = 3;

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

function batches<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

/** Plain fs: the record files of a batch, then one fsync. */
async function baseline(entries: readonly StoreEntry[], size: number, dir: string): Promise<number> {
  const start = performance.now();
  for (const b of batches(entries, size)) {
    let last = '';
    for (const e of b) {
      for (const eff of e.effects) {
        if (eff.kind !== 'history') continue;
        last = join(dir, 'history', eff.record.jobId, `${eff.record.attempt}.json`);
        await mkdir(dirname(last), { recursive: true });
        await writeFile(last, `${JSON.stringify(eff.record, null, 2)}\n`);
      }
    }
    const fh = await open(last, 'r+');
    await fh.sync();
    await fh.close();
  }
  return entries.length / ((performance.now() - start) / 1000);
}

async function cairn(entries: readonly StoreEntry[], size: number, dir: string): Promise<{ rate: number; cpuUsPerEntry: number; bytesPerEntry: number; packs: number }> {
  const store = await openStore(dir, { batchIntervalMs: 0 });
  const start = performance.now();
  const cpu = process.cpuUsage();
  for (const b of batches(entries, size)) await store.apply(b);
  const rate = entries.length / ((performance.now() - start) / 1000);
  const used = process.cpuUsage(cpu);
  const s = store.stats();
  await store.close();
  return { rate, cpuUsPerEntry: (used.user + used.system) / entries.length, bytesPerEntry: s.packBytes / entries.length, packs: s.packs };
}

/** isomorphic-git loose writes of `perEntry` small objects per entry (no fsync at all). */
async function isoLoose(entries: readonly StoreEntry[], perEntry: number, dir: string): Promise<number> {
  await git.init({ fs, dir, bare: true, defaultBranch: 'main' });
  const start = performance.now();
  for (const e of entries) {
    const body = JSON.stringify(e.effects);
    await Promise.all(Array.from({ length: perEntry }, (_, k) =>
      git.writeObject({ fs, dir, gitdir: dir, type: 'blob', object: Buffer.from(`${k} ${body}`), format: 'content' })));
  }
  return entries.length / ((performance.now() - start) / 1000);
}

/** Entries per second offered one call each (the daemon's shape), and how many. */
const trickleRates = [100, 1000];
const trickleEntries = 600;

/** One apply() per entry at `perSecond`, not awaited: the store paces and groups them. */
async function trickle(entries: readonly StoreEntry[], perSecond: number, dir: string): Promise<{ cpuMsPerEntry: number; batches: number }> {
  const store = await openStore(dir);
  const cpu = process.cpuUsage();
  const start = performance.now();
  const calls: Array<Promise<void>> = [];
  for (let i = 0; i < entries.length; i++) {
    const dueMs = start + (i * 1000) / perSecond - performance.now();
    if (dueMs >= 1) await new Promise((resolve) => setTimeout(resolve, dueMs));
    calls.push(store.apply([entries[i]!]));
  }
  await Promise.all(calls);
  const used = process.cpuUsage(cpu);
  const batches = store.stats().batchesWritten;
  await store.close();
  return { cpuMsPerEntry: (used.user + used.system) / 1000 / entries.length, batches };
}

/** Records held before the measured entries: a young cluster's history and a large one. */
const historySizes = [1_000, 50_000];
/** Entries applied (untimed) before the measured ones, and the batch size of both. */
const warmEntries = 3_000;
const historyBatch = 64;
/** History records per entry while a store is filled. */
const fillRecordsPerEntry = 100;

/**
 * Per-entry apply cost against the size of the history: a store is filled with `held` records
 * once, copied for each round, warmed up, then timed over the workload.
 */
async function historySize(root: string): Promise<void> {
  const figures = new Map<number, { cpuMs: number; wallMs: number }>();
  for (const held of historySizes) {
    const seed = join(root, `held-${held}`);
    const filler = await openStore(seed, { batchIntervalMs: 0 });
    // The records come a hundred to an entry: the trees end the same as with one per entry
    // (what the timed entries touch), in a fraction of the time, with far fewer commits, and
    // in one pack (as after a snapshot install or a full merge) rather than many equal ones
    // that the first compaction would merge inside the timed window.
    const fill: StoreEntry[] = [];
    for (let i = 0; i < held; i += fillRecordsPerEntry) {
      const effects: StoreEffect[] = [];
      for (let k = i; k < Math.min(held, i + fillRecordsPerEntry); k++) {
        const t = 1_600_000_000_000 + k;
        effects.push({ kind: 'history', record: {
          jobId: `old-${k}`, runId: `old-${k}`, pipeline: 'build', job: 'test', labels: ['linux'], node: `node-${k % 3}`, attempt: 1,
          state: 'succeeded', exitCode: 0, queuedAt: t - 20, startedAt: t - 10, finishedAt: t, logDigest: 'cd'.repeat(32), logBytes: 2048,
        } });
      }
      fill.push({ index: fill.length + 1, term: 1, timeMs: 1_600_000_000_000 + i, effects });
    }
    await filler.apply(fill); // one pack, as after a snapshot install or a full merge
    await filler.close();
    const first = fill.length + 1;
    const warm = workload(100_000, first).slice(0, warmEntries);
    const timed = workload(200_000, first + warmEntries);
    const cpus: number[] = [];
    const walls: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const dir = join(root, `held-${held}-${round}`);
      await cp(seed, dir, { recursive: true });
      const store = await openStore(dir, { batchIntervalMs: 0 });
      for (const b of batches(warm, historyBatch)) await store.apply(b);
      const cpu = process.cpuUsage();
      const start = performance.now();
      for (const b of batches(timed, historyBatch)) await store.apply(b);
      walls.push((performance.now() - start) / timed.length);
      const used = process.cpuUsage(cpu);
      cpus.push((used.user + used.system) / 1000 / timed.length);
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
    const f = { cpuMs: median(cpus), wallMs: median(walls) };
    figures.set(held, f);
    process.stdout.write(`apply with ${held.toLocaleString('en')} records held: ${f.cpuMs.toFixed(3)} ms CPU/entry, ${f.wallMs.toFixed(3)} ms wall/entry (batches of ${historyBatch}, after ${warmEntries} warm-up entries)\n`);
  }
  const small = figures.get(historySizes[0]!)!;
  const large = figures.get(historySizes[1]!)!;
  process.stdout.write(
    `per-entry cost, ${historySizes[1]!.toLocaleString('en')} vs ${historySizes[0]!.toLocaleString('en')} records held: CPU ratio ${(large.cpuMs / small.cpuMs).toFixed(2)}, wall ratio ${(large.wallMs / small.wallMs).toFixed(2)} (load ${loadavg()[0]!.toFixed(1)})\n`,
  );
}

export default async function run(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-store-bench-'));
  try {
    const all = workload();
    process.stdout.write(`workload: ${all.length} entries (${jobCount} jobs x 3 records), one history record each\n`);
    for (const size of [1, 16, 256, 3000]) {
      // Batches of one are fsync-bound: time a slice so the bench stays short.
      const entries = size === 1 ? all.slice(0, 300) : all;
      // Alternate the two, three rounds each, and keep the median: the machine is shared.
      const bases: number[] = [];
      const runs: Array<Awaited<ReturnType<typeof cairn>>> = [];
      for (let round = 0; round < rounds; round++) {
        bases.push(await baseline(entries, size, join(root, `plain-${size}-${round}`)));
        runs.push(await cairn(entries, size, join(root, `store-${size}-${round}`)));
      }
      const base = median(bases);
      const c = runs.sort((a, b) => a.rate - b.rate)[Math.floor(rounds / 2)]!;
      process.stdout.write(
        `batch ${String(size).padStart(4)}: cairn ${c.rate.toFixed(0).padStart(6)} entries/s, plain fs + fsync ${base.toFixed(0).padStart(6)} entries/s, ratio ${(c.rate / base).toFixed(2)}` +
        ` (${entries.length} entries, ${c.cpuUsPerEntry.toFixed(0)} us CPU/entry, ${c.bytesPerEntry.toFixed(0)} pack bytes/entry, ${c.packs} packs)\n`,
      );
    }
    // The daemon's shape: one apply() call per committed entry, not awaited one by one; the
    // store groups the calls that arrive during a write or its pause (batchIntervalMsMin).
    {
      const bases: number[] = [];
      const rates: number[] = [];
      for (let round = 0; round < rounds; round++) {
        bases.push(await baseline(all.slice(0, 300), 1, join(root, `plain-each-${round}`)));
        const store = await openStore(join(root, `store-each-${round}`));
        const start = performance.now();
        await Promise.all(all.map((e) => store.apply([e])));
        rates.push(all.length / ((performance.now() - start) / 1000));
        await store.close();
      }
      const base = median(bases);
      const rate = median(rates);
      process.stdout.write(`one apply() call per entry, ${all.length} calls issued at once (group commit): cairn ${rate.toFixed(0)} entries/s, plain fs + fsync per entry ${base.toFixed(0)} entries/s, ratio ${(rate / base).toFixed(2)}\n`);
    }
    for (const perSecond of trickleRates) {
      const runs: Array<Awaited<ReturnType<typeof trickle>>> = [];
      for (let round = 0; round < rounds; round++) runs.push(await trickle(all.slice(0, trickleEntries), perSecond, join(root, `store-trickle-${perSecond}-${round}`)));
      const c = runs.sort((a, b) => a.cpuMsPerEntry - b.cpuMsPerEntry)[Math.floor(rounds / 2)]!;
      process.stdout.write(
        `one apply() call per entry as they come, ${perSecond} entries/s: ${c.cpuMsPerEntry.toFixed(3)} ms CPU/entry, ${c.batches} batches for ${trickleEntries} entries (a batch at most every ${batchIntervalMsMin} ms)\n`,
      );
    }
    const loose = await isoLoose(all.slice(0, 300), 6, join(root, 'iso'));
    process.stdout.write(`isomorphic-git loose objects, 6 per entry, no fsync: ${loose.toFixed(0)} entries/s\n`);

    const store = await openStore(join(root, 'store-256-0'));
    let t = performance.now();
    await store.history({ limit: 50 });
    const cold = performance.now() - t;
    t = performance.now();
    await store.history({ limit: 50 });
    const warm = performance.now() - t;
    const snap = await store.exportSnapshot();
    await store.close();
    process.stdout.write(`history(limit 50) over ${jobCount} records: first ${cold.toFixed(0)} ms (builds the index), then ${warm.toFixed(1)} ms; snapshot ${(snap.length / 1024).toFixed(0)} KiB\n`);

    await historySize(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
