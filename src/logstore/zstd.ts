import { Compressor } from 'zstd-napi';
import binding from 'zstd-napi/binding.js';
import { CairnError } from '../util/errors.js';
import type { Compress, Decompress } from '../logs/index.js';

/**
 * zstd for the log formats, through zstd-napi. Decompression is bounded: peers send the
 * payload's raw size in the header, and the output buffer is exactly that large (plus one
 * byte to notice a longer frame), so a small message can never expand into a huge allocation.
 */

/** A compression function at a fixed level, with its own reusable context. */
export function zstdCompressor(level: number): Compress {
  const c = new Compressor();
  c.setParameters({ compressionLevel: level });
  return (raw) => c.compress(raw);
}

const dctx = new binding.DCtx();

/** Decompresses `packed`, which must expand to exactly `rawBytes` bytes. */
export const zstdDecompress: Decompress = (packed, rawBytes) => {
  const out = Buffer.allocUnsafe(rawBytes + 1);
  let n: number;
  try {
    n = dctx.decompress(out, packed);
  } catch (err) {
    throw new CairnError('INVALID_INPUT', `zstd payload does not decompress to ${rawBytes} bytes: ${(err as Error).message}`, { rawBytes }, { cause: err });
  }
  if (n !== rawBytes) throw new CairnError('INVALID_INPUT', `zstd payload decompressed to ${n} bytes, expected ${rawBytes}`, { rawBytes, got: n });
  return out.subarray(0, n);
};
