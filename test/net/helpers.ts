import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNetwork, generateClusterKey, type Network, type NetworkInit } from '../../src/net/index.js';

/** A temporary directory per test file, removed by `cleanup`. */
export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `cairn-net-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Starts a loopback node whose identity lives in `dir/<name>.key`. */
export async function startNode(
  dir: string,
  name: string,
  clusterKey: Uint8Array,
  extra: Partial<NetworkInit> = {},
): Promise<Network> {
  const net = await createNetwork({ peerKeyFile: join(dir, `${name}.key`), clusterKey, ...extra });
  await net.start();
  return net;
}

export { generateClusterKey };

/** Resolves once `cond()` holds, polling briefly; rejects with `what` after `timeoutMs`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await cond())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Resolves with the first value `subscribe` reports that satisfies `pred`, or rejects after `timeoutMs`. */
export function nextEvent<T>(
  subscribe: (cb: (v: T) => void) => () => void,
  pred: (v: T) => boolean,
  what: string,
  timeoutMs = 5_000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      unsub();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const unsub = subscribe((v) => {
      if (!pred(v)) return;
      clearTimeout(timer);
      unsub();
      resolve(v);
    });
  });
}

/** p-th percentile (0..100) of a list of numbers. */
export function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? NaN;
}
