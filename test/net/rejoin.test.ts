import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetwork, type Network } from '../../src/net/index.js';
import { generateClusterKey, nextEvent, startNode, tempDir, waitFor } from './helpers.js';

/** A seed that is down, or restarts, is picked up again by the join redialler. */
describe('join redialling', () => {
  const key = generateClusterKey();
  let dir: string;
  let cleanup: () => Promise<void>;
  const running: Network[] = [];

  beforeAll(async () => ({ dir, cleanup } = await tempDir('rejoin')));
  afterAll(async () => {
    await Promise.all(running.map((n) => n.stop()));
    await cleanup?.();
  });

  /** Starts the seed with a fixed identity and listen address, as a restarted daemon would. */
  async function startSeed(listen: string): Promise<Network> {
    const n = await createNetwork({ peerKeyFile: join(dir, 'seed.key'), clusterKey: key, listen: [listen] });
    await n.start();
    running.push(n);
    return n;
  }

  it('connects to a seed that starts later, reconnects after it restarts, and raft resumes', async () => {
    // Learn a free port, then free it: the seed is down when B starts.
    const probe = await startSeed('/ip4/127.0.0.1/tcp/0');
    const seedAddr = probe.addrs()[0]!;
    const listen = seedAddr.replace(/\/p2p\/.*$/, '');
    await probe.stop();
    running.length = 0;

    const b = await startNode(dir, 'b', key, { join: [seedAddr] });
    running.push(b);
    expect(b.connectedPeers()).toEqual([]);

    const seed1 = await startSeed(listen);
    await waitFor(() => b.isConnected(seed1.peerId), 'B to reach the seed once it is up', 10_000);
    const first = nextEvent<string>((cb) => seed1.onRaftMessage((f, m) => cb(`${f}:${m[0]}`)), () => true, 'first frame');
    expect(b.sendRaft(seed1.peerId, new Uint8Array([1]))).toBe(true);
    expect(await first).toBe(`${b.peerId}:1`);

    // The seed restarts: B sees it go, redials, and its next raft frames arrive on a new stream.
    const gone = nextEvent<string>((cb) => b.onPeerDisconnected(cb), (p) => p === seed1.peerId, 'seed disconnect');
    await seed1.stop();
    running.splice(running.indexOf(seed1), 1);
    await gone;
    const seed2 = await startSeed(listen);
    expect(seed2.peerId).toBe(seed1.peerId);
    await waitFor(() => b.isConnected(seed2.peerId), 'B to reconnect to the restarted seed', 10_000);
    const again = nextEvent<string>((cb) => seed2.onRaftMessage((f, m) => cb(`${f}:${m[0]}`)), () => true, 'frame after restart');
    expect(b.sendRaft(seed2.peerId, new Uint8Array([2]))).toBe(true);
    expect(await again).toBe(`${b.peerId}:2`);
  });

  it('keeps dialling a peer known only from the address book while it is down, and reaches it when it is back', async () => {
    const seed = await startSeed('/ip4/127.0.0.1/tcp/0');
    const addr = seed.addrs()[0]!;
    const c = await startNode(dir, 'c', key);
    running.push(c);
    await c.addPeerAddrs(seed.peerId, [addr]);
    const first = nextEvent<number>((cb) => seed.onRaftMessage((_f, m) => cb(m[0]!)), () => true, 'first frame');
    expect(c.sendRaft(seed.peerId, new Uint8Array([1]))).toBe(true);
    expect(await first).toBe(1);

    const gone = nextEvent<string>((cb) => c.onPeerDisconnected(cb), (p) => p === seed.peerId, 'seed disconnect');
    await seed.stop();
    running.splice(running.indexOf(seed), 1);
    await gone;
    // While the seed is down, sends fail: the channel backs off and drops, without throwing.
    const failuresBefore = c.stats().raftStreamOpenFailures;
    c.sendRaft(seed.peerId, new Uint8Array([2]));
    await waitFor(() => c.stats().raftStreamOpenFailures > failuresBefore, 'a failed open while the seed is down');
    // Each time the backoff lets a send through, the channel tries again and fails again.
    for (let i = 1; i <= 3; i++) {
      await waitFor(() => c.sendRaft(seed.peerId, new Uint8Array([2])), 'the backoff to let a send through');
      await waitFor(() => c.stats().raftStreamOpenFailures >= failuresBefore + 1 + i, 'another failed open');
    }

    const back = await startSeed(addr.replace(/\/p2p\/.*$/, ''));
    const got: number[] = [];
    back.onRaftMessage((_f, m) => got.push(m[0]!));
    // Raft retransmits on every heartbeat; model that with a send per poll until one lands.
    await waitFor(() => (c.sendRaft(back.peerId, new Uint8Array([3])), got.includes(3)), 'a frame to reach the restarted seed', 10_000);
    expect(c.isConnected(back.peerId)).toBe(true);
  });

  it('skips its own address in a shared join list instead of redialling it', async () => {
    const probe = await startSeed('/ip4/127.0.0.1/tcp/0');
    const a = await startNode(dir, 'a2', key);
    running.push(a);
    const own = probe.addrs()[0]!.replace(/\/p2p\/.*$/, '');
    await probe.stop();
    running.splice(running.indexOf(probe), 1);
    const logs: Array<{ msg: string; addr?: unknown }> = [];
    const log = { debug: (obj: object, msg: string) => logs.push({ ...obj, msg }), warn: (obj: object, msg: string) => logs.push({ ...obj, msg }) };
    const b = await startNode(dir, 'b2', key, { listen: [own], join: [own, a.addrs()[0]!], log });
    running.push(b);
    await waitFor(() => b.isConnected(a.peerId), 'B to join A');
    await waitFor(() => logs.some((l) => l.msg === 'join address is this node; skipped'), 'the self entry to be recognised');
    expect(logs.filter((l) => l.msg === 'join dial failed')).toEqual([]);
  });
});
