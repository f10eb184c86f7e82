import type { ConnectionProtector } from '@libp2p/interface';
import { pnetHandshakeTimeoutMs } from './constants.js';
import { pnetProtector } from './pnet-protector.js';

/**
 * pnet encrypts a connection with the cluster key but never checks that both ends hold the
 * same key: with different keys each side decrypts noise, and the handshake that follows can
 * wait for a random-length message until its timeout (seconds). So each side first sends a
 * fixed 16-byte marker under the pnet cipher and checks the one it receives: a node with
 * another key is refused on its first bytes, and the log says why. The protocol and the
 * marker's timing are in pnet-protector.ts.
 */

const marker = new TextEncoder().encode('/cairn/psk-ok/1\n');
const refusal = 'cluster key differs (pre-shared key check failed)';

/** Called when a connection is refused for a different key, with the remote address. */
export type PskRefusedHandler = (remoteAddr: string, why: string) => void;

/** A pnet ConnectionProtector that refuses, at once, a peer whose cluster key differs. */
export function checkedPreSharedKey(psk: Uint8Array, onRefused: PskRefusedHandler): () => ConnectionProtector {
  return pnetProtector({
    psk,
    handshakeTimeoutMs: pnetHandshakeTimeoutMs,
    marker,
    refuse: (remoteAddr) => {
      onRefused(remoteAddr, refusal);
      return new Error(refusal);
    },
  });
}
