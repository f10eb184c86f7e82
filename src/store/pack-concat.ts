/**
 * Joins packs into one by copying their entries byte for byte. An ofs-delta names its base by
 * distance back within its pack; copying each pack's entries as one block keeps every such
 * distance, so nothing is inflated or re-encoded: the cost is one read and one SHA-1 pass.
 * The joined index is a merge of the sources' indexes, which are sorted already: 28 bytes
 * copied per object and no object id ever turned into text, so a merge costs about as much
 * per object as copying its bytes (merges repeat O(log n) times over an object's life).
 */
import { createHash } from 'node:crypto';
import type { PackFile } from './pack-file.js';
import { idxFanoutBytes, idxHeaderBytes, idxSignature, packHeader, packHeaderBytes, packTrailerBytes } from './pack-format.js';

/** Bytes copied per read while joining packs; bounds the memory a merge needs. */
const copyChunkBytes = 1024 * 1024;

/** Bytes of one object id in an index. */
const oidBytes = 20;

export interface ConcatResult {
  checksum: Buffer;
  /** The version-2 index of the joined pack. */
  idx: Buffer;
}

/**
 * Streams the joined pack to `write`. Returns null, having written nothing, when two packs
 * hold the same object: a pack may hold each object once.
 */
export async function concatPacks(sources: readonly PackFile[], write: (chunk: Buffer) => Promise<void>): Promise<ConcatResult | null> {
  const idx = mergeIndexes(sources);
  if (idx === null) return null;
  const count = sources.reduce((n, p) => n + p.count, 0);
  const hash = createHash('sha1');
  const header = packHeader(count);
  hash.update(header);
  await write(header);
  for (const p of sources) {
    const end = p.packBytes - packTrailerBytes;
    for (let at = packHeaderBytes; at < end; at += copyChunkBytes) {
      const chunk = await p.readRange(at, Math.min(copyChunkBytes, end - at));
      hash.update(chunk);
      await write(chunk);
    }
  }
  const checksum = hash.digest();
  await write(checksum);
  const trailerAt = idx.length - 2 * oidBytes;
  checksum.copy(idx, trailerAt);
  createHash('sha1').update(idx.subarray(0, trailerAt + oidBytes)).digest().copy(idx, trailerAt + oidBytes);
  return { checksum, idx };
}

/**
 * The index of the joined pack, its two checksums left to fill: a k-way merge of the sources'
 * sorted object ids, each offset moved by where its pack's entries land. Null on a duplicate.
 */
function mergeIndexes(sources: readonly PackFile[]): Buffer | null {
  const total = sources.reduce((n, p) => n + p.count, 0);
  const out = Buffer.alloc(idxHeaderBytes + idxFanoutBytes + total * 28 + 2 * oidBytes);
  idxSignature.copy(out, 0);
  out.writeUInt32BE(2, 4);
  const oidsAt = idxHeaderBytes + idxFanoutBytes;
  const crcsAt = oidsAt + total * oidBytes;
  const offsetsAt = crcsAt + total * 4;
  const shift: number[] = [];
  let base = packHeaderBytes;
  for (const p of sources) {
    shift.push(base - packHeaderBytes);
    base += p.packBytes - packHeaderBytes - packTrailerBytes;
  }
  const next = sources.map(() => 0);
  for (let n = 0; n < total;) {
    // The source with the smallest next id, and the one after it.
    let best = -1;
    let second = -1;
    for (let s = 0; s < sources.length; s++) {
      if (next[s]! >= sources[s]!.count) continue;
      if (best < 0) {
        best = s;
        continue;
      }
      const c = sources[s]!.compareOids(next[s]!, sources[best]!, next[best]!);
      if (c === 0) return null;
      if (c < 0) {
        second = best;
        best = s;
      } else {
        const d = second < 0 ? -1 : sources[s]!.compareOids(next[s]!, sources[second]!, next[second]!);
        if (d === 0) return null;
        if (d < 0) second = s;
      }
    }
    // Copy the run of `best`'s ids below the other sources' next one in one go: merges are
    // mostly a large pack and small ones, so runs are long.
    const p = sources[best]!;
    const from = next[best]!;
    let to = from + 1;
    if (second < 0) to = p.count;
    else {
      while (to < p.count) {
        const c = p.compareOids(to, sources[second]!, next[second]!);
        if (c === 0) return null;
        if (c > 0) break;
        to++;
      }
    }
    p.copyEntries(from, to, out, n, total, shift[best]!);
    next[best] = to;
    n += to - from;
  }
  const fanout = new Uint32Array(256);
  for (let n = 0; n < total; n++) fanout[out[oidsAt + n * oidBytes]!]!++;
  let running = 0;
  for (let b = 0; b < 256; b++) {
    running += fanout[b]!;
    out.writeUInt32BE(running, idxHeaderBytes + b * 4);
  }
  return out;
}
