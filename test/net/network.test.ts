import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetwork, raftFrameBytesMax, raftQueueFramesMax, type Network } from '../../src/net/index.js';
import { CairnError } from '../../src/util/errors.js';
import { generateClusterKey, nextEvent, startNode, tempDir, waitFor } from './helpers.js';

/** Real libp2p nodes on loopback: A founds, B and C join through A's address. */
describe('network on loopback', () => {
  const key = generateClusterKey();
  let dir: string;
  let cleanup: () => Promise<void>;
  let a: Network;
  let b: Network;
  let c: Network;
  const warnings: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('net'));
    a = await startNode(dir, 'a', key, { gossipTopics: ['logs'], log: { debug: () => {}, warn: (obj, msg) => warnings.push({ ...obj, msg }) } });
    const seed = a.addrs()[0]!;
    b = await startNode(dir, 'b', key, { join: [seed], gossipTopics: ['logs'] });
    c = await startNode(dir, 'c', key, { join: [seed], gossipTopics: ['logs'] });
    await waitFor(() => a.isConnected(b.peerId) && a.isConnected(c.peerId), 'B and C to join A');
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), c?.stop()]);
    await cleanup?.();
  });

  it('connects three nodes through join and reports them', () => {
    expect(a.connectedPeers().sort()).toEqual([b.peerId, c.peerId].sort());
    expect(b.connectedPeers()).toContain(a.peerId);
    expect(c.connectedPeers()).toContain(a.peerId);
    expect(a.addrs().every((m) => m.startsWith('/ip4/127.0.0.1/tcp/') && m.endsWith(`/p2p/${a.peerId}`))).toBe(true);
  });

  it('learns addresses through identify and dials a peer by id from the address book', async () => {
    await waitFor(async () => (await b.peerAddrs(a.peerId)).length > 0, 'identify to record A at B');
    const known = await b.addressBook();
    expect(known.find((p) => p.peerId === a.peerId)?.addrs).toEqual(expect.arrayContaining([a.addrs()[0]!.replace(`/p2p/${a.peerId}`, '')]));
    // B has never seen C: give it C's addresses (as the cluster state will) and send by id.
    expect(await b.peerAddrs(c.peerId)).toEqual([]);
    await b.addPeerAddrs(c.peerId, c.addrs());
    const got = nextEvent<[string, Uint8Array]>((cb) => c.onRaftMessage((f, m) => cb([f, m])), ([f]) => f === b.peerId, 'B→C frame');
    expect(b.sendRaft(c.peerId, new Uint8Array([42]))).toBe(true);
    const [, bytes] = await got;
    expect([...bytes]).toEqual([42]);
    expect(b.isConnected(c.peerId)).toBe(true);
  });

  it('delivers raft frames in order, large frames included', async () => {
    const count = 1_000;
    const received: number[] = [];
    const bigSizes = new Map<number, number>([
      [10, 1024 * 1024],
      [500, raftFrameBytesMax],
    ]);
    const sizes: number[] = [];
    const done = new Promise<void>((resolve) => {
      const unsub = b.onRaftMessage((from, bytes) => {
        if (from !== a.peerId) return;
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        received.push(view.getUint32(0));
        sizes.push(bytes.byteLength);
        if (received.length === count) {
          unsub();
          resolve();
        }
      });
    });
    for (let i = 0; i < count; i++) {
      const frame = new Uint8Array(bigSizes.get(i) ?? 16);
      new DataView(frame.buffer).setUint32(0, i);
      frame[frame.length - 1] = 7;
      expect(a.sendRaft(b.peerId, frame)).toBe(true);
    }
    await done;
    expect(received).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(sizes[10]).toBe(1024 * 1024);
    expect(sizes[500]).toBe(raftFrameBytesMax);
  });

  it('refuses a frame over the maximum with a clear error', () => {
    let caught: unknown;
    try {
      a.sendRaft(b.peerId, new Uint8Array(raftFrameBytesMax + 1));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CairnError);
    expect((caught as CairnError).code).toBe('PAYLOAD_TOO_LARGE');
    expect((caught as CairnError).message).toMatch(/exceeds the 8388608-byte maximum/);
    expect(() => a.sendRaft('not-a-peer-id', new Uint8Array([1]))).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  it('bounds a burst beyond the queue: drops the excess, delivers the rest in order', async () => {
    const burst = raftQueueFramesMax * 4;
    const accepted: number[] = [];
    const droppedBefore = c.stats().raftFramesDropped;
    const received: number[] = [];
    const unsub = a.onRaftMessage((from, bytes) => {
      if (from === c.peerId) received.push(new DataView(bytes.buffer, bytes.byteOffset).getUint32(0));
    });
    for (let i = 0; i < burst; i++) {
      const frame = new Uint8Array(1024);
      new DataView(frame.buffer).setUint32(0, i);
      if (c.sendRaft(a.peerId, frame)) accepted.push(i);
    }
    expect(accepted.length).toBeLessThan(burst);
    expect(accepted.length).toBeGreaterThanOrEqual(raftQueueFramesMax);
    expect(c.stats().raftFramesDropped - droppedBefore).toBe(burst - accepted.length);
    await waitFor(() => received.length === accepted.length, 'accepted frames to arrive');
    unsub();
    expect(received).toEqual(accepted);
  });

  it('answers requests, carries handler errors, times out, and refuses unknown protocols', async () => {
    await a.handle('echo', async (from, bytes) => new Uint8Array([...new TextEncoder().encode(from.slice(-4)), ...bytes]));
    await a.handle('fail', async () => {
      throw new CairnError('CONFLICT', 'not the leader', { leader: 'x' });
    });
    let release: () => void = () => {};
    await a.handle('slow', () => new Promise((resolve) => (release = () => resolve(new Uint8Array([1])))));

    const reply = await b.request(a.peerId, 'echo', new Uint8Array([1, 2, 3]), { timeoutMs: 2_000 });
    expect(new TextDecoder().decode(reply.subarray(0, 4))).toBe(b.peerId.slice(-4));
    expect([...reply.subarray(4)]).toEqual([1, 2, 3]);

    const big = new Uint8Array(4 * 1024 * 1024).fill(9);
    const bigReply = await c.request(a.peerId, 'echo', big, { timeoutMs: 10_000 });
    expect(bigReply.byteLength).toBe(big.byteLength + 4);

    await expect(b.request(a.peerId, 'fail', new Uint8Array(), { timeoutMs: 2_000 })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'not the leader',
      data: { leader: 'x', remotePeer: a.peerId },
    });

    const t0 = performance.now();
    await expect(b.request(a.peerId, 'slow', new Uint8Array(), { timeoutMs: 200 })).rejects.toMatchObject({ code: 'UNREACHABLE' });
    const waited = performance.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(190);
    expect(waited).toBeLessThan(2_000);
    release();

    await expect(b.request(a.peerId, 'nope', new Uint8Array(), { timeoutMs: 2_000 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('spreads gossip to every subscribed node, not back to the publisher unless asked', async () => {
    await waitFor(() => a.topicPeers('logs').length === 2 && b.topicPeers('logs').includes(a.peerId) && c.topicPeers('logs').includes(a.peerId), 'gossip mesh');
    const seen: string[] = [];
    const unsubs = [a, b, c].map((n, i) => n.subscribe('logs', (from, bytes) => seen.push(`${'abc'[i]}<-${from === c.peerId ? 'c' : from}:${new TextDecoder().decode(bytes)}`)));
    const selfSeen = nextEvent<string>((cb) => c.subscribe('logs', (_f, m) => cb(new TextDecoder().decode(m)), { includeSelf: true }), (m) => m === 'hello', 'self delivery');
    await c.publish('logs', new TextEncoder().encode('hello'));
    await waitFor(() => seen.length >= 2, 'gossip at A and B');
    expect(await selfSeen).toBe('hello');
    // B is not connected to C: the message reached it through A.
    expect(seen.sort()).toEqual(['a<-c:hello', 'b<-c:hello']);
    for (const u of unsubs) u();
    expect(c.stats().gossipPublished).toBe(1);
  });

  it('delivers the same bytes published twice as two messages (ids are origin and sequence, not a hash of the data)', async () => {
    const got: string[] = [];
    const unsub = b.subscribe('logs', (from, bytes) => {
      if (from === a.peerId) got.push(new TextDecoder().decode(bytes));
    });
    await a.publish('logs', new TextEncoder().encode('same event'));
    await a.publish('logs', new TextEncoder().encode('same event'));
    await waitFor(() => got.length >= 2, 'both messages at B');
    unsub();
    expect(got).toEqual(['same event', 'same event']);
  });

  it('refuses a node with another cluster key: no connection, no raft message', async () => {
    const d = await startNode(dir, 'd', generateClusterKey());
    try {
      const fromD: string[] = [];
      const unsub = a.onRaftMessage((from) => {
        if (from === d.peerId) fromD.push(from);
      });
      // Refused on the first bytes, not after a handshake timeout.
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        await expect(d.dial(a.addrs()[0]!)).rejects.toMatchObject({ code: 'UNREACHABLE' });
        expect(performance.now() - t0).toBeLessThan(1_000);
      }
      expect(warnings.filter((w) => w.msg === 'connection refused: cluster key differs (pre-shared key check failed)').length).toBeGreaterThanOrEqual(5);
      await d.addPeerAddrs(a.peerId, a.addrs());
      d.sendRaft(a.peerId, new Uint8Array([1]));
      await waitFor(() => d.stats().raftStreamOpenFailures >= 1, 'D to give up opening its raft stream');
      // A frame from B sent after D's attempt arrives; D's never does.
      const fromB = nextEvent<string>((cb) => a.onRaftMessage((f) => cb(f)), (f) => f === b.peerId, 'B→A frame');
      b.sendRaft(a.peerId, new Uint8Array([2]));
      await fromB;
      unsub();
      expect(fromD).toEqual([]);
      expect(a.connectedPeers()).not.toContain(d.peerId);
      expect(d.connectedPeers()).toEqual([]);
    } finally {
      await d.stop();
    }
  });

  it('keeps its identity across restarts, in a 0600 key file', async () => {
    const keyFile = join(dir, 'persist', 'peer.key');
    const first = await createNetwork({ peerKeyFile: keyFile, clusterKey: key });
    await first.start();
    const id = first.peerId;
    await first.stop();
    const second = await createNetwork({ peerKeyFile: keyFile, clusterKey: key });
    await second.start();
    try {
      expect(second.peerId).toBe(id);
      expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
      // The restarted node can rejoin under the same id.
      expect(await second.dial(a.addrs()[0]!)).toBe(a.peerId);
      await waitFor(() => a.isConnected(id), 'A to see the restarted node');
    } finally {
      await second.stop();
    }
  });

  it('drops gossip by fault injection, deterministically', async () => {
    const e = await startNode(dir, 'e', key, { join: [a.addrs()[0]!], gossipTopics: ['logs'], faults: { gossipDropRate: 0.5, random: alternating() } });
    try {
      await waitFor(() => a.topicPeers('logs').includes(e.peerId), 'E in the mesh');
      const got: string[] = [];
      e.subscribe('logs', (_f, m) => got.push(new TextDecoder().decode(m)));
      for (let i = 0; i < 4; i++) await a.publish('logs', new TextEncoder().encode(`m${i}`));
      await waitFor(() => got.length + e.stats().gossipDropped === 4, 'four messages at E');
      expect(got).toEqual(['m1', 'm3']);
      expect(e.stats().gossipDropped).toBe(2);
    } finally {
      await e.stop();
    }
  });

  it('serves a handler registered before start', async () => {
    const f = await createNetwork({ peerKeyFile: join(dir, 'f.key'), clusterKey: key });
    await f.handle('ping', async () => new Uint8Array([7]));
    await f.start();
    try {
      await a.addPeerAddrs(f.peerId, f.addrs());
      expect([...(await a.request(f.peerId, 'ping', new Uint8Array(), { timeoutMs: 5_000 }))]).toEqual([7]);
    } finally {
      await f.stop();
    }
  });

  it('refuses a listen address in use, and malformed addresses, with INVALID_INPUT', async () => {
    const busy = a.addrs()[0]!.replace(/\/p2p\/.*$/, '');
    const g = await createNetwork({ peerKeyFile: join(dir, 'g.key'), clusterKey: key, listen: [busy] });
    await expect(g.start()).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining(`cannot listen on ${busy}`) });
    await g.stop();
    await expect(createNetwork({ peerKeyFile: join(dir, 'g.key'), clusterKey: key, join: ['not/a/multiaddr'] })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(a.dial('/nope')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('refuses a malformed cluster key at creation', async () => {
    await expect(createNetwork({ peerKeyFile: join(dir, 'x.key'), clusterKey: new TextEncoder().encode('nope') })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});

/** 0.0, 0.9, 0.0, 0.9, …: with a drop rate of 0.5, every other message is dropped. */
function alternating(): () => number {
  let i = 0;
  return () => (i++ % 2 === 0 ? 0 : 0.9);
}
