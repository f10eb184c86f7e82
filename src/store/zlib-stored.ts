/**
 * A zlib stream of "stored" (uncompressed) deflate blocks (RFC 1950/1951). Trees are mostly
 * SHA-1 bytes, which do not compress, and deltas are a few dozen bytes; for those, framing
 * the bytes costs one Adler-32 pass where zlib's deflate costs ~20 us of setup per object.
 * Any inflater (git's, Node's, isomorphic-git's) reads the result.
 */

/** Largest stored block (LEN is 16 bits). */
const storedBlockBytesMax = 0xffff;
/** Adler-32 sums may run this many bytes before the modulo (zlib's NMAX). */
const adlerRunBytesMax = 5552;
const adlerModulus = 65521;

export function zlibStored(data: Uint8Array): Buffer {
  const blocks = Math.max(1, Math.ceil(data.length / storedBlockBytesMax));
  const out = Buffer.alloc(2 + blocks * 5 + data.length + 4);
  out[0] = 0x78; // deflate, 32 KiB window
  out[1] = 0x01; // no dictionary, fastest; (0x7801 % 31) === 0 as the header check requires
  let pos = 2;
  for (let b = 0; b < blocks; b++) {
    const start = b * storedBlockBytesMax;
    const len = Math.min(storedBlockBytesMax, data.length - start);
    out[pos++] = b === blocks - 1 ? 1 : 0; // BFINAL on the last block, BTYPE 00 (stored)
    out.writeUInt16LE(len, pos);
    out.writeUInt16LE(~len & 0xffff, pos + 2);
    pos += 4;
    out.set(data.subarray(start, start + len), pos);
    pos += len;
  }
  out.writeUInt32BE(adler32(data), pos);
  return out;
}

export function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < data.length;) {
    const end = Math.min(i + adlerRunBytesMax, data.length);
    for (; i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= adlerModulus;
    b %= adlerModulus;
  }
  return ((b << 16) | a) >>> 0;
}

/**
 * The data of a zlib stream made only of stored blocks (what zlibStored() writes), or null for
 * any other stream, which zlib then inflates. Reading the store's own trees and deltas this
 * way skips creating a zlib stream per object (tens of microseconds each).
 */
export function unzlibStored(stream: Buffer): Buffer | null {
  if (stream.length < 2 + 5 + 4 || (stream[0]! & 0x0f) !== 8 || (stream.readUInt16BE(0) % 31) !== 0 || (stream[1]! & 0x20) !== 0) return null;
  const parts: Buffer[] = [];
  let pos = 2;
  for (;;) {
    if (pos + 5 > stream.length) return null;
    const head = stream[pos]!;
    if ((head & 0x06) !== 0) return null; // BTYPE is not 00: a compressed block
    const len = stream.readUInt16LE(pos + 1);
    if ((stream.readUInt16LE(pos + 3) ^ 0xffff) !== len || pos + 5 + len > stream.length) return null;
    parts.push(stream.subarray(pos + 5, pos + 5 + len));
    pos += 5 + len;
    if ((head & 0x01) !== 0) break; // BFINAL
  }
  if (pos + 4 !== stream.length) return null;
  const data = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  return adler32(data) === stream.readUInt32BE(pos) ? data : null;
}
