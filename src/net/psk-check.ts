import type { ComponentLogger, ConnectionProtector, MultiaddrConnection } from '@libp2p/interface';
import { preSharedKey } from '@libp2p/pnet';
import { pnetHandshakeTimeoutMs } from './constants.js';

/**
 * pnet encrypts a connection with the cluster key but never checks that both ends hold the
 * same key: with different keys each side decrypts noise, and the handshake that follows can
 * wait for a random-length message until its timeout (seconds). So each side first sends a
 * fixed 16-byte marker through the pnet layer and checks the one it receives: a node with
 * another key is refused on its first bytes, and the log says why. The marker costs no
 * round trip; it travels with the first message each side sends anyway.
 */

const marker = new TextEncoder().encode('/cairn/psk-ok/1\n');

export interface CheckedPskComponents {
  logger: ComponentLogger;
}

/** Called when a connection is refused for a different key, with the remote address. */
export type PskRefusedHandler = (remoteAddr: string, why: string) => void;

/** A pnet ConnectionProtector that refuses, at once, a peer whose cluster key differs. */
export function checkedPreSharedKey(psk: Uint8Array, onRefused: PskRefusedHandler): (components: CheckedPskComponents) => ConnectionProtector {
  return (components) => {
    const inner = preSharedKey({ psk, timeout: pnetHandshakeTimeoutMs })(components);
    return {
      async protect(conn, options) {
        const inside = await inner.protect(conn, options);
        return withMarker(inside, (why) => onRefused(conn.remoteAddr.toString(), why));
      },
    };
  };
}

function withMarker(conn: MultiaddrConnection, onRefused: (why: string) => void): MultiaddrConnection {
  const source = conn.source;
  const sink = conn.sink;
  return {
    ...conn,
    sink: (src) =>
      sink(
        (async function* () {
          yield marker;
          yield* src;
        })(),
      ),
    source: (async function* () {
      // Iterate by hand: a `for await` left early would close the source for the rest.
      let head: Uint8Array = new Uint8Array(0);
      while (head.byteLength < marker.byteLength) {
        const next = await source.next();
        if (next.done === true) return;
        head = concat(head, next.value.subarray());
      }
      if (!equal(head.subarray(0, marker.byteLength), marker)) {
        const why = 'cluster key differs (pre-shared key check failed)';
        onRefused(why);
        throw new Error(why);
      }
      const rest = head.subarray(marker.byteLength);
      if (rest.byteLength > 0) yield rest;
      yield* source;
    })(),
  };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.byteLength === 0) return b;
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a, 0);
  out.set(b, a.byteLength);
  return out;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((x, i) => x === b[i]);
}
