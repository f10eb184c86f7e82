import { hsalsa, salsa20 } from '@noble/ciphers/salsa.js';

/**
 * The `xsalsa20` package's streaming interface (`xsalsa20(nonce, key)` then `update(input,
 * output?)` per chunk, what @libp2p/pnet uses) over @noble/ciphers' XSalsa20, for the cluster
 * key's cipher (pnet-protector.ts). Not the package itself: its fast path is WebAssembly, which costs
 * every node ~4.5 MiB of the executable's pages (V8's WebAssembly compilers), and its plain
 * JavaScript is slower than noble's (25 against 57–70 MiB/s under the daemon's Maglev top tier).
 * A stream may carry 2^32 - 1 blocks of 64 bytes (256 GiB), noble's counter limit; past that
 * `update` throws and the connection closes (a new one has a new nonce).
 */

const blockBytes = 64;
/** Salsa20's constant for 32-byte keys, as the little-endian words HSalsa20 takes. */
const sigma = new Uint32Array(new TextEncoder().encode('expand 32-byte k').buffer);

export class XSalsa20Stream {
  /**
   * XSalsa20 is Salsa20 under a subkey, HSalsa20 of the key and the nonce's first 16 bytes,
   * with the nonce's last 8. The subkey is made once here: noble's xsalsa20() makes it again
   * on every call, one more block of work on a Raft frame of a few blocks.
   */
  private readonly subkey = new Uint8Array(32);
  private readonly nonce: Uint8Array;
  /** Bytes of key stream used so far. */
  private used = 0;
  /** The key stream of the block `used` is in, when a chunk ended inside it. */
  private readonly partial = new Uint8Array(blockBytes);

  constructor(nonce: Uint8Array, key: Uint8Array) {
    if (nonce.length < 24) throw new Error('nonce must be at least 24 bytes');
    if (key.length < 32) throw new Error('key must be at least 32 bytes');
    const k = Uint8Array.from(key.subarray(0, 32));
    const n = Uint8Array.from(nonce.subarray(0, 16));
    hsalsa(sigma, new Uint32Array(k.buffer), new Uint32Array(n.buffer), new Uint32Array(this.subkey.buffer));
    this.nonce = Uint8Array.from(nonce.subarray(16, 24));
  }

  /** XORs `input` with the next `input.length` bytes of key stream into `output` (a new array by default). */
  update(input: Uint8Array, output: Uint8Array = new Uint8Array(input.length)): Uint8Array {
    const n = input.length;
    let i = 0;
    const offset = this.used % blockBytes;
    if (offset !== 0) {
      // Finish the block the previous chunk ended in.
      const take = Math.min(blockBytes - offset, n);
      for (let k = 0; k < take; k++) output[k] = input[k]! ^ this.partial[offset + k]!;
      i = take;
    }
    const whole = Math.floor((n - i) / blockBytes) * blockBytes;
    if (whole > 0) {
      salsa20(this.subkey, this.nonce, input.subarray(i, i + whole), output.subarray(i, i + whole), (this.used + i) / blockBytes);
      i += whole;
    }
    if (i < n) {
      // Start a block, keeping its key stream for the next chunk.
      this.partial.fill(0);
      salsa20(this.subkey, this.nonce, this.partial, this.partial, (this.used + i) / blockBytes);
      for (let k = 0; i + k < n; k++) output[i + k] = input[i + k]! ^ this.partial[k]!;
    }
    this.used += n;
    return output;
  }

  /** The package's interface has it; there is nothing to release. */
  finalize(): void {}
}

/** The `xsalsa20` package's factory: `xsalsa20(nonce, key)`. */
export default function createXSalsa20(nonce: Uint8Array, key: Uint8Array): XSalsa20Stream {
  return new XSalsa20Stream(nonce, key);
}
