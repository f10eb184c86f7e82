import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Network } from '../../src/net/index.js';
import { generateClusterKey, nextEvent, startNode, tempDir, waitFor } from './helpers.js';

const fixture = fileURLToPath(new URL('./fixtures/child-node.ts', import.meta.url));

/** The Raft core fails over on a dropped connection to the leader: it must be reported at once. */
describe('a peer killed with SIGKILL', () => {
  const key = generateClusterKey();
  let dir: string;
  let cleanup: () => Promise<void>;
  let a: Network;
  let b: Network;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('kill'));
    a = await startNode(dir, 'a', key);
    b = await startNode(dir, 'b', key, { join: [a.addrs()[0]!] });
  });

  afterAll(async () => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all([a?.stop(), b?.stop()]);
    await cleanup?.();
  });

  it('is reported disconnected by every peer promptly', async () => {
    const keyFile = join(dir, 'swarm.key');
    await writeFile(keyFile, key);
    child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      cwd: process.cwd(),
      stdio: ['pipe', 'pipe', 'inherit'],
      env: {
        ...process.env,
        CAIRN_TEST_PEER_KEY: join(dir, 'child.key'),
        CAIRN_TEST_CLUSTER_KEY: keyFile,
        CAIRN_TEST_JOIN: [a.addrs()[0]!, b.addrs()[0]!].join(','),
      },
    });
    const exited = new Promise<void>((resolve) => child!.once('exit', () => resolve()));
    const lines = createInterface({ input: child.stdout! });
    const first = await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child!.once('exit', (code) => reject(new Error(`child exited (${code}) before starting`)));
    });
    lines.close();
    const { peerId } = JSON.parse(first) as { peerId: string };
    await waitFor(() => a.isConnected(peerId) && b.isConnected(peerId), 'the child to connect to A and B', 15_000);

    const latency = (n: Network): Promise<number> =>
      nextEvent<string>((cb) => n.onPeerDisconnected(cb), (p) => p === peerId, 'disconnect of the killed peer', 5_000).then(
        () => performance.now() - t0,
      );
    const t0 = performance.now();
    child.kill('SIGKILL');
    const [la, lb] = await Promise.all([latency(a), latency(b)]);
    await exited;
    console.log(`disconnect detected after kill -9: A ${la.toFixed(1)} ms, B ${lb.toFixed(1)} ms`);
    expect(la).toBeLessThan(1_000);
    expect(lb).toBeLessThan(1_000);
    expect(a.connectedPeers()).not.toContain(peerId);
    // A and B stay connected to each other.
    expect(a.isConnected(b.peerId)).toBe(true);
  });
});
