/**
 * The streaming XSalsa20 the build gives @libp2p/pnet (src/net/xsalsa20-stream.ts): for any split
 * of a message into chunks it yields what one pass over the whole message yields, and it is the
 * same cipher, key and nonce order as the `xsalsa20` package it replaces.
 */
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { xsalsa20 } from '@noble/ciphers/salsa.js';
import { describe, expect, it } from 'vitest';
import createXSalsa20 from '../../src/net/xsalsa20-stream.js';

const require = createRequire(import.meta.url);
/** The package pnet depends on (its plain-JavaScript or WebAssembly implementation). */
const packageXSalsa20 = require('xsalsa20') as (nonce: Uint8Array, key: Uint8Array) => { update(input: Uint8Array, output?: Uint8Array): Uint8Array };

/** Deterministic chunk sizes from a seed: small, block-sized, odd and large ones. */
function splits(total: number, seed: number): number[] {
  const sizes = [1, 3, 63, 64, 65, 127, 128, 200, 1000, 4096, 70_000];
  const out: number[] = [];
  let left = total;
  for (let i = seed; left > 0; i = (i * 7 + 3) % 1009) {
    const n = Math.min(left, sizes[i % sizes.length]!);
    out.push(n);
    left -= n;
  }
  return out;
}

function streamed(nonce: Uint8Array, key: Uint8Array, message: Uint8Array, sizes: number[]): Uint8Array {
  const s = createXSalsa20(nonce, key);
  const out = new Uint8Array(message.length);
  let at = 0;
  for (const n of sizes) {
    out.set(s.update(message.subarray(at, at + n)), at);
    at += n;
  }
  return out;
}

describe('XSalsa20Stream', () => {
  const key = randomBytes(32);
  const nonce = randomBytes(24);
  const message = randomBytes(300_000);
  const whole = xsalsa20(key, nonce, message);

  it('gives the one-pass result for any chunking', () => {
    for (let seed = 0; seed < 12; seed++) {
      expect(Buffer.from(streamed(nonce, key, message, splits(message.length, seed))).equals(Buffer.from(whole))).toBe(true);
    }
  });

  it('writes into a given output array and returns it', () => {
    const s = createXSalsa20(nonce, key);
    const out = new Uint8Array(100);
    expect(s.update(message.subarray(0, 100), out)).toBe(out);
    expect(Buffer.from(out).equals(Buffer.from(whole.subarray(0, 100)))).toBe(true);
  });

  it('matches the xsalsa20 package, chunk by chunk', () => {
    const ours = createXSalsa20(nonce, key);
    const theirs = packageXSalsa20(nonce, key);
    let at = 0;
    for (const n of splits(100_000, 5)) {
      const chunk = message.subarray(at, at + n);
      expect(Buffer.from(ours.update(chunk)).equals(Buffer.from(theirs.update(chunk)))).toBe(true);
      at += n;
    }
  });

  it('refuses a short key or nonce', () => {
    expect(() => createXSalsa20(nonce.subarray(0, 23), key)).toThrow(/nonce/);
    expect(() => createXSalsa20(nonce, key.subarray(0, 31))).toThrow(/key/);
  });
});
