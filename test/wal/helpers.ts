/** Shared helpers for the write-ahead log tests: temp dirs and deterministic entries. */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Entry, Random, Snapshot } from '../../src/raft/types.js';
import { openWal, type WalOptions, type WalRecovered } from '../../src/wal/index.js';

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-wal-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Deterministic data for an entry, so a recovered log can be checked byte for byte. */
export function dataFor(index: number, term: number, bytes = 20): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (index * 31 + term * 7 + i) & 0xff;
  return out;
}

export function entry(index: number, term = 1, bytes = 20): Entry {
  return { index, term, type: 'normal', data: dataFor(index, term, bytes) };
}

export function entries(from: number, to: number, term = 1, bytes = 20): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) out.push(entry(i, term, bytes));
  return out;
}

export function snapshot(index: number, term: number, data = 'state'): Snapshot {
  return { meta: { index, term, conf: { voters: ['a', 'b', 'c'], learners: ['d'] } }, data: new TextEncoder().encode(data) };
}

export async function segmentNames(dir: string): Promise<string[]> {
  return (await readdir(join(dir, 'wal'))).filter((n) => n.endsWith('.wal')).sort();
}

/** Opens the log in `dir` as a restarted node would, reads what it recovered, closes it. */
export async function recover(dir: string, opts: WalOptions = {}): Promise<{ recovered: WalRecovered }> {
  const { wal, recovered } = await openWal(dir, opts);
  await wal.close();
  return { recovered };
}

/** A small seeded PRNG (mulberry32) for the Raft nodes of these tests. */
export function seededRandom(seed: number): Random {
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
