/**
 * Unsigned LEB128 varints, the length prefix of it-length-prefixed (and protobuf), written
 * straight into a caller's buffer so a batch of frames needs one allocation.
 */

/** Bytes needed to encode `n` (a non-negative safe integer). */
export function varintBytes(n: number): number {
  let bytes = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    bytes++;
  }
  return bytes;
}

/** Writes `n` at `offset` and returns the offset after it. */
export function encodeVarint(n: number, buf: Uint8Array, offset: number): number {
  while (n >= 0x80) {
    buf[offset++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[offset++] = n;
  return offset;
}
