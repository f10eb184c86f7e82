/**
 * The pre-shared-key connection protector (src/net/pnet-protector.ts, configured by
 * psk-check.ts) over real TCP sockets on 127.0.0.1: it speaks stock @libp2p/pnet's protocol
 * plus cairn's marker, so it carries bytes intact to and from the protector earlier releases
 * ran (stock pnet with the marker on top), refuses a different key on its first bytes, and
 * gives up on a silent peer after the handshake timeout.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';
import type { ComponentLogger, ConnectionProtector, Logger, MultiaddrConnection } from '@libp2p/interface';
import { preSharedKey } from '@libp2p/pnet';
import { multiaddr } from '@multiformats/multiaddr';
import { pushable } from 'it-pushable';
import { Uint8ArrayList } from 'uint8arraylist';
import { afterEach, describe, expect, it } from 'vitest';
import { generateClusterKey } from '../../src/net/cluster-key.js';
import { pnetHandshakeTimeoutMs } from '../../src/net/constants.js';
import { pnetProtector } from '../../src/net/pnet-protector.js';
import { checkedPreSharedKey } from '../../src/net/psk-check.js';

type Chunk = Uint8Array | Uint8ArrayList;

const refusal = 'cluster key differs (pre-shared key check failed)';
const marker = new TextEncoder().encode('/cairn/psk-ok/1\n');

const quietLog: Logger = Object.assign(() => {}, { error: () => {}, trace: () => {}, enabled: false, newScope: () => quietLog });
const logger: ComponentLogger = { forComponent: () => quietLog };

const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
});

/** Both ends of a real TCP connection on 127.0.0.1, each able to finish sending before the other. */
async function tcpPair(): Promise<[Socket, Socket]> {
  const server = createServer({ allowHalfOpen: true });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const dialer = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  const [[listener]] = await Promise.all([accepted, once(dialer, 'connect')]);
  server.close();
  for (const s of [dialer, listener]) s.setNoDelay(true);
  sockets.push(dialer, listener);
  return [dialer, listener];
}

/** A socket as a MultiaddrConnection, the way @libp2p/tcp makes one: the socket is the source. */
function socketConn(socket: Socket): MultiaddrConnection {
  return {
    source: socket as unknown as AsyncGenerator<Uint8Array>,
    async sink(src) {
      for await (const chunk of src) {
        if (!socket.write(chunk instanceof Uint8Array ? chunk : chunk.subarray())) await once(socket, 'drain');
      }
      socket.end();
    },
    async close() {
      socket.end();
    },
    abort: () => socket.destroy(),
    remoteAddr: multiaddr(`/ip4/127.0.0.1/tcp/${socket.remotePort}`),
    timeline: { open: Date.now() },
    log: quietLog,
  };
}

/**
 * Two connections joined in memory whose every written chunk arrives cut into pieces of 0 to
 * 9 bytes: the nonce and the marker straddle many chunks, some of them empty.
 */
function shreddingPair(): [MultiaddrConnection, MultiaddrConnection] {
  const ab = pushable<Uint8Array>();
  const ba = pushable<Uint8Array>();
  const end = (out: typeof ab, into: typeof ba): MultiaddrConnection => ({
    source: into,
    async sink(src) {
      let i = 0;
      for await (const chunk of src) {
        const bytes = chunk instanceof Uint8Array ? chunk : chunk.subarray();
        for (let at = 0; at < bytes.byteLength; i++) {
          const n = (i * 7) % 10;
          out.push(bytes.slice(at, at + n));
          at += n;
        }
      }
      out.end();
    },
    close: async () => void out.end(),
    abort: (err) => void out.end(err),
    remoteAddr: multiaddr('/ip4/127.0.0.1/tcp/1'),
    timeline: { open: Date.now() },
    log: quietLog,
  });
  return [end(ab, ba), end(ba, ab)];
}

/** cairn's protector as earlier releases ran it: stock pnet, with the marker sent and checked on top. */
function previousProtector(psk: Uint8Array): ConnectionProtector {
  const inner = preSharedKey({ psk, timeout: pnetHandshakeTimeoutMs })({ logger });
  return {
    async protect(conn) {
      const inside = await inner.protect(conn);
      const source = inside.source;
      return {
        ...inside,
        sink: (src) =>
          inside.sink(
            (async function* () {
              yield marker;
              yield* src;
            })(),
          ),
        source: (async function* () {
          let head = new Uint8ArrayList();
          while (head.byteLength < marker.byteLength) {
            const next = await source.next();
            if (next.done === true) return;
            head.append(next.value.subarray());
          }
          if (!equal(head.subarray(0, marker.byteLength), marker)) throw new Error(refusal);
          head = head.sublist(marker.byteLength);
          if (head.byteLength > 0) yield head.subarray();
          yield* source;
        })(),
      };
    },
  };
}

function ours(psk: Uint8Array, refused: string[] = []): ConnectionProtector {
  return checkedPreSharedKey(psk, (remoteAddr, why) => refused.push(`${remoteAddr} ${why}`))();
}

/** Deterministic bytes and chunk sizes from 0 to ~70 KB; some chunks are Uint8ArrayLists. */
function oddChunks(total: number, seed: number): Chunk[] {
  const sizes = [0, 1, 3, 15, 16, 17, 63, 64, 65, 500, 1460, 4096, 65_536, 70_001];
  const out: Chunk[] = [];
  let state = seed;
  for (let left = total; left > 0; ) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const bytes = Uint8Array.from({ length: Math.min(left, sizes[state % sizes.length]!) }, (_, i) => (state + i * 31) & 0xff);
    left -= bytes.byteLength;
    out.push(state % 3 === 0 && bytes.byteLength > 1 ? new Uint8ArrayList(bytes.subarray(0, 1), bytes.subarray(1)) : bytes);
  }
  return out;
}

function digest(chunks: Iterable<Chunk>): string {
  const h = createHash('sha256');
  for (const c of chunks) h.update(c instanceof Uint8Array ? c : c.subarray());
  return h.digest('hex');
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((x, i) => x === b[i]);
}

/**
 * One node's side: protects `conn`, then at once sends `chunks` (as libp2p's next layer starts
 * writing as soon as the connection is protected) while it reads; resolves with the arrays it
 * received, once the peer has finished sending.
 */
async function runSide(protector: ConnectionProtector, conn: MultiaddrConnection, chunks: Chunk[]): Promise<Uint8Array[]> {
  const protectedConn = await protector.protect(conn);
  const got: Uint8Array[] = [];
  const receive = (async () => {
    for await (const c of protectedConn.source) got.push(c instanceof Uint8Array ? c : c.subarray());
  })();
  await Promise.all([
    protectedConn.sink(
      (async function* () {
        // Our uint8arraylist (3.x) and the one in libp2p's types (2.x) differ only in a brand.
        yield* chunks as Uint8Array[];
      })(),
    ),
    receive,
  ]);
  return got;
}

describe('pnet protector', () => {
  const mib = 1024 * 1024;
  /** Dialer and listener: ours on both sides, and ours against the previous release both ways. */
  const pairings = [
    ['ours to ours', ours, ours],
    ['ours to the previous release', ours, previousProtector],
    ['the previous release to ours', previousProtector, ours],
  ] as const;

  it.each(pairings)('carries several MiB each way intact over TCP: %s', async (_, dialerProtector, listenerProtector) => {
    const psk = generateClusterKey();
    const [dialer, listener] = await tcpPair();
    const there = oddChunks(5 * mib, 1);
    const back = oddChunks(3 * mib, 2);
    const before = [digest(there), digest(back)];
    const [gotBack, gotThere] = await Promise.all([
      runSide(dialerProtector(psk), socketConn(dialer), there),
      runSide(listenerProtector(psk), socketConn(listener), back),
    ]);
    // Received arrays are checked after both transfers, so one the protector reused would show;
    // the sent chunks are hashed again, so one it encrypted in place would show.
    expect([digest(gotThere), digest(gotBack)]).toEqual(before);
    expect([digest(there), digest(back)]).toEqual(before);
  });

  it.each(pairings)('handles a nonce and marker cut across many small and empty chunks: %s', async (_, p1, p2) => {
    const psk = generateClusterKey();
    const [a, b] = shreddingPair();
    const there = oddChunks(200_000, 3);
    const back = oddChunks(100_000, 4);
    const [gotBack, gotThere] = await Promise.all([runSide(p1(psk), a, there), runSide(p2(psk), b, back)]);
    expect([digest(gotThere), digest(gotBack)]).toEqual([digest(there), digest(back)]);
  });

  it('refuses a peer with another key on its first bytes, on both sides, and says why', async () => {
    const [dialer, listener] = await tcpPair();
    const ports = [dialer.localPort, listener.localPort];
    const refused: string[] = [];
    const [a, b] = await Promise.allSettled([
      ours(generateClusterKey(), refused).protect(socketConn(dialer)),
      ours(generateClusterKey(), refused).protect(socketConn(listener)),
    ]);
    // A refusal, not the handshake timeout: each marker follows its nonce at once.
    expect(a).toMatchObject({ status: 'rejected', reason: { message: refusal } });
    expect(b).toMatchObject({ status: 'rejected', reason: { message: refusal } });
    expect(refused.sort()).toEqual(ports.map((port) => `/ip4/127.0.0.1/tcp/${port} ${refusal}`).sort());
    await Promise.all([dialer.closed ? null : once(dialer, 'close'), listener.closed ? null : once(listener, 'close')]);
  });

  it('refuses a previous-release peer with another key', async () => {
    const [dialer, listener] = await tcpPair();
    const port = listener.localPort;
    const refused: string[] = [];
    // The previous release sends its marker when its upper layer starts writing, and refuses
    // when that layer first reads.
    const theirs = runSide(previousProtector(generateClusterKey()), socketConn(listener), []).then(
      () => null,
      (err: unknown) => err,
    );
    await expect(ours(generateClusterKey(), refused).protect(socketConn(dialer))).rejects.toThrow(refusal);
    expect(await theirs).toMatchObject({ message: refusal });
    expect(refused).toEqual([`/ip4/127.0.0.1/tcp/${port} ${refusal}`]);
  });

  it(`gives up on a silent peer after pnetHandshakeTimeoutMs (${pnetHandshakeTimeoutMs} ms) and closes the connection`, async () => {
    const [dialer, listener] = await tcpPair();
    // The peer reads nothing back either; it sees our end of the connection close.
    const closed = once(listener, 'end');
    listener.resume();
    await expect(ours(generateClusterKey()).protect(socketConn(dialer))).rejects.toMatchObject({
      name: 'TimeoutError',
      message: `pnet handshake did not finish within ${pnetHandshakeTimeoutMs} ms`,
    });
    await closed;
  });

  it('gives up on a peer that stops inside its nonce or closes there, and honours the caller’s abort', async () => {
    const psk = generateClusterKey();
    const quick = pnetProtector({ psk, handshakeTimeoutMs: 200, marker, refuse: () => new Error(refusal) })();

    const [d1, l1] = await tcpPair();
    l1.write(new Uint8Array(10));
    await expect(quick.protect(socketConn(d1))).rejects.toMatchObject({ name: 'TimeoutError' });

    const [d2, l2] = await tcpPair();
    l2.end(new Uint8Array(10));
    await expect(quick.protect(socketConn(d2))).rejects.toMatchObject({ name: 'ConnectionClosedError' });

    const [d3] = await tcpPair();
    const controller = new AbortController();
    const protecting = quick.protect(socketConn(d3), { signal: controller.signal });
    controller.abort(new Error('dial cancelled'));
    await expect(protecting).rejects.toThrow('dial cancelled');
    await once(d3, 'close');
  });
});
