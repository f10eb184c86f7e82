import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProcess, type ProcessOutcome } from '../../src/exec/index.js';
import type { LogChunk } from '../../src/logs/index.js';

export const fixtures = join(import.meta.dirname, 'fixtures');

/** A temporary directory, removed by `cleanup`. */
export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `cairn-logstore-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Runs test/logstore/fixtures/print.mjs (mixed text, invalid UTF-8, stdout and stderr
 * interleaved) through the executor's process runner; `onOutput` gets the bytes in order.
 */
export function runPrinter(
  args: { bytes: number; seed?: number; secret?: string; pauseFile?: string; pauseAt?: number },
  onOutput: (bytes: Uint8Array) => void | Promise<void>,
): Promise<ProcessOutcome> {
  const argv = [process.execPath, join(fixtures, 'print.mjs'), String(args.bytes), String(args.seed ?? 1), args.secret ?? '', args.pauseFile ?? '', String(args.pauseAt ?? 0)];
  return startProcess({ argv, cwd: fixtures, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, onOutput, timeoutMs: 120_000 }).done;
}

/** Collects a follow into one buffer, with the sequence numbers seen. */
export async function collect(it: AsyncIterable<LogChunk>, stopAfter?: number): Promise<{ data: Buffer; seqs: number[] }> {
  const parts: Uint8Array[] = [];
  const seqs: number[] = [];
  for await (const c of it) {
    parts.push(c.data);
    seqs.push(c.seq);
    if (stopAfter !== undefined && seqs.length >= stopAfter) break;
  }
  return { data: Buffer.concat(parts), seqs };
}

export function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/** `0, 1, ..., n-1` offset by `from`. */
export function range(from: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => from + i);
}

/** Resolves once `cond()` holds, polling briefly; rejects with `what` after `timeoutMs`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await cond())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A seeded random in [0, 1) for fault injection (a failing run replays with the same seed). */
export function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
}
