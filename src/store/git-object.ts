/**
 * Git's object encodings, byte for byte: the SHA-1 object id, trees and commits. The store
 * writes these itself (into packs) because it must control every byte for two nodes to agree.
 */
import { createHash } from 'node:crypto';
import { CairnError } from '../util/errors.js';

export type ObjectType = 'commit' | 'tree' | 'blob';

/** Pack type numbers (gitformat-pack(5)). */
export const packTypeOf: Record<ObjectType, number> = { commit: 1, tree: 2, blob: 3 };
export const objectTypeOf: Record<number, ObjectType | undefined> = { 1: 'commit', 2: 'tree', 3: 'blob' };

/** The id of an object: SHA-1 of `<type> <length>\0<content>`, in hex. */
export function objectId(type: ObjectType, content: Uint8Array): string {
  return createHash('sha1').update(`${type} ${content.length}\0`).update(content).digest('hex');
}

/** Git's id for the empty tree; no object need exist for it. */
export const emptyTreeId = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

export const treeMode = '40000';
export const blobMode = '100644';

export interface TreeEntry {
  name: string;
  mode: typeof treeMode | typeof blobMode;
  oid: string;
}

/**
 * Git orders tree entries by name bytes, a subtree's name compared as if it ended in '/'.
 * `git fsck` rejects any other order. For ASCII (all the store writes) UTF-16 code units
 * compare as UTF-8 bytes do, so no name is encoded unless it holds other characters.
 */
export function compareTreeNames(a: string, aIsTree: boolean, b: string, bIsTree: boolean): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i <= n; i++) {
    const ca = i < a.length ? a.charCodeAt(i) : aIsTree && i === a.length ? slashCode : 0;
    const cb = i < b.length ? b.charCodeAt(i) : bIsTree && i === b.length ? slashCode : 0;
    if (ca === cb) {
      if (ca === 0) return 0;
      continue;
    }
    if (ca >= asciiEnd || cb >= asciiEnd) return Buffer.compare(Buffer.from(aIsTree ? `${a}/` : a), Buffer.from(bIsTree ? `${b}/` : b));
    return ca - cb;
  }
  return 0;
}

const slashCode = 0x2f;
const asciiEnd = 0x80;

/**
 * Encodes entries, which must be in git's order (compareTreeNames), as a tree object's
 * content, in one allocation. The tree model keeps its entries in that order, so no tree is
 * sorted again when it is written.
 */
export function encodeTree(entries: readonly TreeEntry[]): Buffer {
  let size = 0;
  for (const e of entries) size += e.mode.length + 1 + Buffer.byteLength(e.name) + 1 + 20;
  const out = Buffer.alloc(size);
  let pos = 0;
  for (const e of entries) {
    pos += out.write(e.mode, pos, 'latin1');
    out[pos++] = spaceCode;
    pos += out.write(e.name, pos);
    out[pos++] = 0;
    pos += out.write(e.oid, pos, 'hex');
  }
  return out;
}

const spaceCode = 0x20;

/** Decodes a tree object's content; only the two modes the store writes are accepted. */
export function decodeTree(content: Uint8Array, oid: string): TreeEntry[] {
  const buf = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  const out: TreeEntry[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const space = buf.indexOf(0x20, pos);
    const nul = space < 0 ? -1 : buf.indexOf(0, space);
    if (space < 0 || nul < 0 || nul + 21 > buf.length) throw corrupt(`tree ${oid} is truncated`, oid);
    const mode = buf.toString('latin1', pos, space);
    if (mode !== treeMode && mode !== blobMode) throw corrupt(`tree ${oid} has an entry of mode ${mode}, which a cairn store never writes`, oid);
    out.push({ mode, name: buf.toString('utf8', space + 1, nul), oid: buf.toString('hex', nul + 1, nul + 21) });
    pos = nul + 21;
  }
  return out;
}

export interface CommitFields {
  tree: string;
  parent: string | null;
  /** Seconds since the epoch; the timezone is always +0000. */
  timeSec: number;
  message: string;
}

/** Encodes a commit with the store's fixed author and committer. */
export function encodeCommit(c: CommitFields, identity: string): Buffer {
  const stamp = `${identity} ${c.timeSec} +0000`;
  const parent = c.parent === null ? '' : `parent ${c.parent}\n`;
  return Buffer.from(`tree ${c.tree}\n${parent}author ${stamp}\ncommitter ${stamp}\n\n${c.message}`);
}

/** The tree, first parent and message of a commit object. */
export function decodeCommit(content: Uint8Array, oid: string): { tree: string; parent: string | null; message: string } {
  const text = Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('utf8');
  const split = text.indexOf('\n\n');
  if (split < 0) throw corrupt(`commit ${oid} has no message`, oid);
  const headers = text.slice(0, split).split('\n');
  const tree = /^tree ([0-9a-f]{40})$/.exec(headers[0] ?? '')?.[1];
  if (tree === undefined) throw corrupt(`commit ${oid} has no tree`, oid);
  const parent = /^parent ([0-9a-f]{40})$/.exec(headers[1] ?? '')?.[1] ?? null;
  return { tree, parent, message: text.slice(split + 2) };
}

function corrupt(message: string, oid: string): CairnError {
  return new CairnError('STORAGE_CORRUPT', message, { oid });
}
