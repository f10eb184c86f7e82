/**
 * Builds one pack (and its index) from the new objects of a batch. Versions of the same path
 * are delta-compressed against each other, newest first: the newest version of each path,
 * the one HEAD uses, is stored whole, so reading HEAD never walks a delta chain, and each older
 * version is a delta against the next newer one (git's own "reverse delta" order). Blobs and
 * commits are deflated; trees (mostly SHA-1 bytes) and deltas are stored uncompressed, which
 * halves the cost of a pack for a few percent of its size (see zlib-stored.ts).
 */
import { createHash } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import { assert } from '../util/errors.js';
import { deflateLevel, deltaDepthMax } from './constants.js';
import { encodeDelta } from './delta.js';
import { zlibStored } from './zlib-stored.js';
import { packTypeOf, type ObjectType } from './git-object.js';
import { buildIdx, entryHeader, ofsDeltaDistance, ofsDeltaType, packHeader, packHeaderBytes, type IdxEntry } from './pack-format.js';

/** An object to pack. `path` groups versions of one file or tree for delta compression. */
export interface NewObject {
  oid: string;
  type: ObjectType;
  content: Buffer;
  path: string | null;
}

export interface BuiltPack {
  /** Hex of the pack's trailing checksum; the files are `pack-<name>.pack` and `.idx`. */
  name: string;
  pack: Buffer;
  idx: Buffer;
  entries: IdxEntry[];
}

/** A delta is kept only when it is smaller than this share of the whole object. */
const deltaShareMax = 0.5;

/**
 * zlib's window for an object of `bytes`: no larger than the object needs. Most objects are a
 * few hundred bytes, and allocating the default 32 KiB window for each costs more than
 * compressing them (about 40 us against 20 us an object).
 */
function windowBitsFor(bytes: number): number {
  return Math.min(15, Math.max(9, Math.ceil(Math.log2(bytes + 1))));
}

/** Packs `objects` (each oid at most once); order in the list is oldest first. */
export function buildPack(objects: readonly NewObject[]): BuiltPack {
  const groups = new Map<string, NewObject[]>();
  const loners: NewObject[] = [];
  for (const o of objects) {
    if (o.path === null) { loners.push(o); continue; }
    const g = groups.get(o.path);
    if (g) g.push(o);
    else groups.set(o.path, [o]);
  }
  const chunks: Buffer[] = [packHeader(objects.length)];
  const entries: IdxEntry[] = [];
  let offset = packHeaderBytes;
  const emit = (header: Buffer, data: Buffer, oid: string, compress: boolean): number => {
    const at = offset;
    const body = compress ? deflateSync(data, { level: deflateLevel, windowBits: windowBitsFor(data.length) }) : zlibStored(data);
    chunks.push(header, body);
    entries.push({ oid, offset: at, crc: crc32(body, crc32(header)) });
    offset += header.length + body.length;
    return at;
  };
  for (const o of loners) emit(entryHeader(packTypeOf[o.type], o.content.length), o.content, o.oid, o.type !== 'tree');
  for (const versions of groups.values()) {
    let base: { content: Buffer; offset: number; depth: number } | null = null;
    for (let i = versions.length - 1; i >= 0; i--) {
      const o = versions[i]!;
      const delta = base !== null && base.depth < deltaDepthMax ? encodeDelta(base.content, o.content) : null;
      if (base !== null && delta !== null && delta.length < o.content.length * deltaShareMax) {
        const here = offset;
        const header = Buffer.concat([entryHeader(ofsDeltaType, delta.length), ofsDeltaDistance(here - base.offset)]);
        emit(header, delta, o.oid, false);
        base = { content: o.content, offset: here, depth: base.depth + 1 };
      } else {
        base = { content: o.content, offset: emit(entryHeader(packTypeOf[o.type], o.content.length), o.content, o.oid, o.type !== 'tree'), depth: 0 };
      }
    }
  }
  assert(entries.length === objects.length, 'every object is packed once');
  const hash = createHash('sha1');
  for (const c of chunks) hash.update(c);
  const checksum = hash.digest();
  chunks.push(checksum);
  return { name: checksum.toString('hex'), pack: Buffer.concat(chunks), idx: buildIdx(entries, checksum), entries };
}
