/**
 * A Bloom filter over the object ids the store holds, so that asking whether an object is
 * stored (once per object a batch writes) costs a few bit tests instead of a binary search in
 * every pack's index. Object ids are SHA-1 digests, evenly spread, so three 32-bit words of the
 * id serve as the three hash functions. A "maybe" is settled by the packs' indexes; a "no" is
 * certain. Ids of deleted packs stay in the filter until the next rebuild: that only costs an
 * index probe now and then.
 */
import { assert } from '../util/errors.js';

/** Bits per object: with three probes, about 1.5% false positives. */
const bitsPerObject = 10;
/** Smallest filter, in bits (a fresh store). */
const filterBitsMin = 1 << 16;

export class OidFilter {
  private readonly words: Uint32Array;
  private readonly mask: number;
  private held = 0;

  /** A filter sized for `capacity` objects (rounded up to a power of two of bits). */
  constructor(readonly capacity: number) {
    let bits = filterBitsMin;
    while (bits < capacity * bitsPerObject) bits *= 2;
    assert(bits <= 2 ** 32, 'an object filter fits 32-bit bit positions');
    this.words = new Uint32Array(bits / 32);
    this.mask = bits - 1;
  }

  /** Objects added so far; past `capacity` the filter should be rebuilt larger. */
  get size(): number {
    return this.held;
  }

  /** Adds the 20-byte id at `at` in `buf`. */
  add(buf: Buffer, at: number): void {
    for (let k = 0; k < 3; k++) {
      const bit = (buf.readUInt32BE(at + 4 * k) & this.mask) >>> 0;
      this.words[bit >>> 5]! |= 1 << (bit & 31);
    }
    this.held++;
  }

  /** False when the id at `at` in `buf` was never added; true when it may have been. */
  mayHold(buf: Buffer, at: number): boolean {
    for (let k = 0; k < 3; k++) {
      const bit = (buf.readUInt32BE(at + 4 * k) & this.mask) >>> 0;
      if ((this.words[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}
