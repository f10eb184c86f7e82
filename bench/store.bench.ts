/**
 * Store apply throughput: 1,000 jobs x 3 attempt records (queued, running, succeeded), one
 * history effect per log entry, applied in batches of several sizes. Baseline, in the same
 * run: the same JSON files written with plain fs and one fsync per batch. For scale, also
 * isomorphic-git's loose-object writes of as many objects as the store writes per entry.
 * Run: `npm run bench -- store` (or `npx tsx -e "import('./bench/store.bench.ts').then(m => m.default())"`).
 */
import * as fs from 'node:fs';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import git from 'isomorphic-git';
import { openStore, type HistoryRecord, type StoreEntry } from '../src/store/index.js';

/** Jobs in the workload; three records each (the daemon's shape for one successful attempt). */
const jobCount = 1000;
const states: HistoryRecord['state'][] = ['queued', 'running', 'succeeded'];

function workload(): StoreEntry[] {
  const out: StoreEntry[] = [];
  let index = 0;
  for (let j = 0; j < jobCount; j++) {
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
  const store = await openStore(dir);
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
    // store groups the calls that arrive during a write (group commit).
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
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
