/**
 * Builds one pack (and its index) from the new objects of a batch, with deltas instead of
 * deflate wherever they pay:
 *   - versions of one path (a tree, a record rewritten as its attempt moves on) are deltas
 *     against each other, newest first: each older version against the next newer one (git's
 *     own "reverse delta" order), so HEAD's version is the shortest chain;
 *   - every other blob or commit is a delta against the last one of its kind (commits; blobs
 *     under one top directory) stored whole in this pack (the kind's template): records share their keys and commits their headers,
 *     so such a delta is about what deflate makes of them, and costs a few microseconds where
 *     deflate costs tens (a zlib stream per object);
 *   - what is stored whole is deflated, except trees (mostly SHA-1 bytes, which do not
 *     compress); deltas are stored in zlib's stored blocks (see zlib-stored.ts).
 * Reading any object of HEAD walks at most a short chain, and the templates stay cached.
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

/** An object placed in the pack: its content, where it is, and the delta chain it ends. */
interface Stored {
  content: Buffer;
  offset: number;
  depth: number;
}

export interface BuiltPack {
  /** Hex of the pack's trailing checksum; the files are `pack-<name>.pack` and `.idx`. */
  name: string;
  pack: Buffer;
  idx: Buffer;
  entries: IdxEntry[];
}

/**
 * A delta is kept only when it is smaller than this share of the whole object: a record or
 * commit against the pack's template comes to about 60%, what deflate would make of it.
 */
const deltaShareMax = 0.75;

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
  /**
   * The last commit, and the last blob of each top directory, stored whole: the bases of the
   * others' deltas. An object too unlike its template to gain from a delta (a commit of the
   * next second has other author and committer lines) is stored whole and takes its place.
   */
  const templates = new Map<string, Stored>();
  const kindOf = (o: NewObject): string => (o.path === null ? o.type : o.path.slice(0, o.path.indexOf('/') + 1));
  /** Stores `o` as a delta against its path's newer version or its type's template, or whole. */
  const place = (o: NewObject, newer: Stored | null): Stored => {
    const base = newer !== null && newer.depth < deltaDepthMax ? newer : o.type === 'tree' ? null : (templates.get(kindOf(o)) ?? null);
    if (base !== null) {
      const delta = encodeDelta(base.content, o.content, o.type !== 'tree');
      if (delta.length < o.content.length * deltaShareMax) {
        const here = offset;
        emit(Buffer.concat([entryHeader(ofsDeltaType, delta.length), ofsDeltaDistance(here - base.offset)]), delta, o.oid, false);
        return { content: o.content, offset: here, depth: base.depth + 1 };
      }
    }
    const stored = { content: o.content, offset: emit(entryHeader(packTypeOf[o.type], o.content.length), o.content, o.oid, o.type !== 'tree'), depth: 0 };
    if (o.type !== 'tree') templates.set(kindOf(o), stored);
    return stored;
  };
  for (const o of loners) place(o, null);
  for (const versions of groups.values()) {
    let newer: Stored | null = null;
    for (let i = versions.length - 1; i >= 0; i--) newer = place(versions[i]!, newer);
  }
  assert(entries.length === objects.length, 'every object is packed once');
  const hash = createHash('sha1');
  for (const c of chunks) hash.update(c);
  const checksum = hash.digest();
  chunks.push(checksum);
  return { name: checksum.toString('hex'), pack: Buffer.concat(chunks), idx: buildIdx(entries, checksum), entries };
}
