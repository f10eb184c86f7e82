import binding from 'zstd-napi/binding.js';
import { CairnError } from '../util/errors.js';
import type { Compress, Decompress } from '../logs/index.js';

/**
 * zstd for the log formats, through zstd-napi. Decompression is bounded: peers send the
 * payload's raw size in the header, and the output buffer is exactly that large (plus one
 * byte to notice a longer frame), so a small message can never expand into a huge allocation.
 */

/**
 * A compression function at a fixed level, with its own reusable context and output buffer:
 * it streams the parts into one frame (with the content size in its header), so no part is
 * copied and only the small result is allocated.
 */
export function zstdCompressor(level: number): Compress {
  const cctx = new binding.CCtx();
  cctx.setParameter(binding.CParameter.compressionLevel, level);
  let scratch = Buffer.allocUnsafe(0);
  return (parts, rawBytes) => {
    cctx.reset(binding.ResetDirective.sessionOnly);
    cctx.setPledgedSrcSize(rawBytes);
    const bound = binding.compressBound(rawBytes);
    if (scratch.length < bound) scratch = Buffer.allocUnsafe(bound);
    let out = 0;
    for (let i = 0; i < parts.length || i === 0; i++) {
      let src = parts[i] ?? new Uint8Array(0);
      const last = i >= parts.length - 1;
      for (;;) {
        const [left, produced, consumed] = cctx.compressStream2(scratch.subarray(out), src, last ? binding.EndDirective.end : binding.EndDirective.continue);
        out += produced;
        src = src.subarray(consumed);
        if (src.byteLength === 0 && (!last || left === 0)) break;
      }
    }
    return Buffer.from(scratch.subarray(0, out));
  };
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
