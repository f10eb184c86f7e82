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
/** Key stream made ahead at a time (see XSalsa20Stream.ks); a multiple of the block. */
const keyStreamBytes = 4096;
/** Salsa20 of zeros is the key stream itself. */
const zeros = new Uint8Array(keyStreamBytes);
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
  /**
   * Key stream made ahead, for the stream's bytes [ksStart, ksEnd): a frame of a few hundred
   * bytes is XORed with it here, and noble is called once per `keyStreamBytes` of small frames
   * rather than up to twice per frame. Each noble call copies the key and nonce into new typed
   * arrays (~1 KB of garbage), which on Raft's and yamux's small frames was about half of what
   * the cluster-key layer allocated. Large chunks still go through noble in one call.
   */
  private readonly ks = new Uint8Array(keyStreamBytes);
  private ksStart = 0;
  private ksEnd = 0;

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
    let i = this.xorAhead(input, output, 0);
    // Whatever is left starts on a block boundary: the key stream made ahead ends on one.
    const whole = Math.floor((n - i) / blockBytes) * blockBytes;
    if (whole >= keyStreamBytes) {
      salsa20(this.subkey, this.nonce, input.subarray(i, i + whole), output.subarray(i, i + whole), this.used / blockBytes);
      this.used += whole;
      i += whole;
    }
    while (i < n) {
      salsa20(this.subkey, this.nonce, zeros, this.ks, this.used / blockBytes);
      this.ksStart = this.used;
      this.ksEnd = this.used + keyStreamBytes;
      i = this.xorAhead(input, output, i);
    }
    return output;
  }

  /** XORs input[i..] with the key stream made ahead, as far as it goes; returns the new `i`. */
  private xorAhead(input: Uint8Array, output: Uint8Array, i: number): number {
    const take = Math.min(input.length - i, this.ksEnd - this.used);
    if (take <= 0) return i;
    const ks = this.ks;
    const at = this.used - this.ksStart;
    for (let k = 0; k < take; k++) output[i + k] = input[i + k]! ^ ks[at + k]!;
    this.used += take;
    return i + take;
  }

  /** The package's interface has it; there is nothing to release. */
  finalize(): void {}
}

/** The `xsalsa20` package's factory: `xsalsa20(nonce, key)`. */
export default function createXSalsa20(nonce: Uint8Array, key: Uint8Array): XSalsa20Stream {
  return new XSalsa20Stream(nonce, key);
}
