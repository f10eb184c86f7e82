/**
 * Shared fixtures of the store tests: a seeded stream of log entries that exercises every
 * effect, temporary directories, and the real git CLI.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { HistoryRecord, StoreEffect, StoreEntry } from '../../src/store/index.js';

/** mulberry32: a small seeded generator, so a failing split replays with the same SEED. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function record(jobId: string, attempt: number, state: HistoryRecord['state'], t: number): HistoryRecord {
  const done = state === 'succeeded' || state === 'failed' || state === 'lost' || state === 'cancelled';
  return {
    jobId,
    runId: `run-${jobId}`,
    pipeline: 'build',
    job: `job-${jobId}`,
    labels: ['linux', 'os=linux'],
    node: state === 'queued' ? null : `node-${attempt}`,
    attempt,
    state,
    exitCode: state === 'succeeded' ? 0 : state === 'failed' ? 1 : null,
    queuedAt: t - 500,
    startedAt: state === 'queued' ? null : t - 100,
    finishedAt: done ? t : null,
    logDigest: done ? 'ab'.repeat(32) : null,
    logBytes: done ? 1234 : 0,
  };
}

/**
 * `n` entries from index `first` on: job attempts moving through their states, pipelines and
 * config coming and going, entries with no effect and entries with several.
 */
export function makeEntries(n: number, seed = 1, first = 1): StoreEntry[] {
  const rnd = seeded(seed);
  const out: StoreEntry[] = [];
  let t = 1_700_000_000_000;
  for (let i = 0; i < n; i++) {
    const index = first + i;
    t += Math.floor(rnd() * 3000);
    const effects: StoreEffect[] = [];
    const roll = rnd();
    const job = `j${Math.floor(index / 3)}`;
    if (roll < 0.08) {
      // no effect: a heartbeat, say
    } else if (roll < 0.14) {
      effects.push({ kind: 'put-pipeline', name: `p${index % 7}`, content: `name: p${index}\non: push\njobs: {}\n`, ...(index % 2 ? { repo: 'https://example.com/r.git', ref: 'main' } : {}) });
    } else if (roll < 0.17) {
      effects.push({ kind: 'remove-pipeline', name: `p${index % 7}` });
    } else if (roll < 0.22) {
      effects.push({ kind: 'put-config', key: `k${index % 5}`, value: { n: index, nested: { b: 1, a: [1, 'x'] } } });
    } else if (roll < 0.24) {
      effects.push({ kind: 'remove-config', key: `k${index % 5}` });
    } else if (roll < 0.3) {
      // several effects in one entry, one of them overwritten within the entry
      effects.push({ kind: 'history', record: record(job, 1, 'running', t) });
      effects.push({ kind: 'history', record: record(job, 1, 'lost', t) });
      effects.push({ kind: 'history', record: record(job, 2, 'queued', t) });
    } else {
      const states: HistoryRecord['state'][] = ['queued', 'running', 'succeeded'];
      effects.push({ kind: 'history', record: record(job, 1, states[index % 3]!, t) });
    }
    out.push({ index, term: 1 + Math.floor(index / 100), timeMs: t, effects });
  }
  return out;
}

/** Splits `entries` into batches of random sizes from 1 to `max`. */
export function randomSplit<T>(entries: readonly T[], seed: number, max: number): T[][] {
  const rnd = seeded(seed);
  const out: T[][] = [];
  for (let i = 0; i < entries.length;) {
    const size = 1 + Math.floor(rnd() * max);
    out.push(entries.slice(i, i + size));
    i += size;
  }
  return out;
}

/** A fresh temporary directory, removed by the returned cleanup. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-store-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs the real git CLI; a failure rejects with its stderr. */
export async function gitCli(args: string[], cwd?: string): Promise<string> {
  const r = await execa('git', args, { ...(cwd === undefined ? {} : { cwd }), env: { GIT_CONFIG_NOSYSTEM: '1', HOME: tmpdir() } });
  return r.stdout;
}
