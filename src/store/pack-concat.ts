/**
 * Joins packs into one by copying their entries byte for byte. An ofs-delta names its base by
 * distance back within its pack; copying each pack's entries as one block keeps every such
 * distance, so nothing is inflated or re-encoded: the cost is one read and one SHA-1 pass.
 */
import { createHash } from 'node:crypto';
import type { PackFile } from './pack-file.js';
import { packHeader, packHeaderBytes, packTrailerBytes, type IdxEntry } from './pack-format.js';

/** Bytes copied per read while joining packs; bounds the memory a merge needs. */
const copyChunkBytes = 1024 * 1024;

export interface ConcatResult {
  checksum: Buffer;
  entries: IdxEntry[];
}

/**
 * Streams the joined pack to `write`. Returns null, having written nothing, when two packs
 * hold the same object: a pack may hold each object once.
 */
export async function concatPacks(sources: readonly PackFile[], write: (chunk: Buffer) => Promise<void>): Promise<ConcatResult | null> {
  const entries: IdxEntry[] = [];
  const seen = new Set<string>();
  let base = packHeaderBytes;
  for (const p of sources) {
    for (const e of p.entries()) {
      if (seen.has(e.oid)) return null;
      seen.add(e.oid);
      entries.push({ oid: e.oid, crc: e.crc, offset: e.offset - packHeaderBytes + base });
    }
    base += p.packBytes - packHeaderBytes - packTrailerBytes;
  }
  const hash = createHash('sha1');
  const header = packHeader(entries.length);
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
  return { checksum, entries };
}
