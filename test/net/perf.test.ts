import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Network } from '../../src/net/index.js';
import { generateClusterKey, percentile, startNode, tempDir } from './helpers.js';

/**
 * Measured figures on loopback, printed for the record; the bounds are loose sanity checks
 * (the machine is shared), the numbers themselves are the result.
 */
describe('network figures on loopback', () => {
  const key = generateClusterKey();
  let dir: string;
  let cleanup: () => Promise<void>;
  let a: Network;
  let b: Network;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('perf'));
    a = await startNode(dir, 'a', key);
    b = await startNode(dir, 'b', key);
    // B echoes every raft frame back to its sender.
    b.onRaftMessage((from, bytes) => b.sendRaft(from, bytes));
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await cleanup?.();
  });

  it('connection setup (TCP + pnet + noise + yamux)', async () => {
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      const n = await startNode(dir, `dialer-${i}`, key);
      try {
        const t0 = performance.now();
        expect(await n.dial(b.addrs()[0]!)).toBe(b.peerId);
        times.push(performance.now() - t0);
      } finally {
        await n.stop();
      }
    }
    console.log(`connection setup: p50 ${percentile(times, 50).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms over ${times.length} dials`);
    expect(percentile(times, 50)).toBeLessThan(1_000);
  });

  it('raft frame round trip, 1,000 sequential 128-byte frames', async () => {
    await a.dial(b.addrs()[0]!);
    const rtts: number[] = [];
    let resolveEcho: () => void = () => {};
    const unsub = a.onRaftMessage(() => resolveEcho());
    const frame = new Uint8Array(128);
    // Warm up both streams before timing.
    for (let i = 0; i < 1_050; i++) {
      const echoed = new Promise<void>((r) => (resolveEcho = r));
      const t0 = performance.now();
      expect(a.sendRaft(b.peerId, frame)).toBe(true);
      await echoed;
      if (i >= 50) rtts.push(performance.now() - t0);
    }
    unsub();
    console.log(
      `raft round trip: p50 ${percentile(rtts, 50).toFixed(3)} ms, p99 ${percentile(rtts, 99).toFixed(3)} ms, max ${Math.max(...rtts).toFixed(3)} ms over ${rtts.length} frames`,
    );
    expect(percentile(rtts, 50)).toBeLessThan(100);
  });

  it('raft frames one way, 30,000 frames of 100 bytes with 512 in flight', async () => {
    const total = 30_000;
    const window = 512;
    const c = await startNode(dir, 'sink', key);
    try {
      let received = 0;
      let wake: () => void = () => {};
      c.onRaftMessage(() => {
        received++;
        wake();
      });
      await a.dial(c.addrs()[0]!);
      const frame = new Uint8Array(100);
      let sent = 0;
      const t0 = performance.now();
      while (received < total) {
        while (sent < total && sent - received < window) {
          expect(a.sendRaft(c.peerId, frame)).toBe(true);
          sent++;
        }
        await new Promise<void>((r) => (wake = r));
      }
      const secs = (performance.now() - t0) / 1000;
      console.log(`raft one-way: ${Math.round(total / secs)} frames/s (100-byte frames, ${secs.toFixed(2)} s for ${total})`);

      const big = new Uint8Array(1024 * 1024);
      const bigCount = 32;
      const before = received;
      const t1 = performance.now();
      let bigSent = 0;
      while (received - before < bigCount) {
        while (bigSent < bigCount && bigSent - (received - before) < 8) {
          expect(a.sendRaft(c.peerId, big)).toBe(true);
          bigSent++;
        }
        await new Promise<void>((r) => (wake = r));
      }
      const bigSecs = (performance.now() - t1) / 1000;
      console.log(`raft one-way: ${(bigCount / bigSecs).toFixed(1)} MiB/s (1 MiB frames)`);
      expect(received).toBe(total + bigCount);
    } finally {
      await c.stop();
    }
  });
});
