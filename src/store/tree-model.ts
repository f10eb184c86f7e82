/**
 * HEAD's tree, held in memory and loaded lazily: a path is read from the object database the
 * first time it is needed. Changes mark the nodes on their path dirty; flush() then encodes
 * only those nodes, bottom up, so a commit that adds one history record re-encodes the few
 * trees on that record's path and nothing else. Each node keeps its names in git's order
 * (kept as names come and go, by binary search), so writing a tree never sorts it.
 */
import { assert } from '../util/errors.js';
import { blobMode, compareTreeNames, decodeTree, emptyTreeId, encodeTree, objectId, treeMode, type TreeEntry } from './git-object.js';
import type { ObjectDb } from './object-db.js';
import type { NewObject } from './pack-writer.js';

interface TreeNode {
  /** null until loaded from the object database. */
  entries: Map<string, Child> | null;
  /** The names of `entries` in git's order; null while they are not loaded. */
  order: string[] | null;
  /** The encoded tree's id; null while the node has unwritten changes. */
  oid: string | null;
}

type Child = { kind: 'blob'; oid: string } | { kind: 'tree'; node: TreeNode };

export class TreeModel {
  private root: TreeNode;

  constructor(private readonly db: ObjectDb, rootOid: string | null) {
    this.root = rootOid === null ? emptyNode() : { entries: null, order: null, oid: rootOid };
  }

  private async entriesOf(node: TreeNode): Promise<Map<string, Child>> {
    if (node.entries !== null) return node.entries;
    assert(node.oid !== null, 'an unloaded tree node is clean');
    const obj = await this.db.read(node.oid);
    const map = new Map<string, Child>();
    const order: string[] = [];
    for (const e of decodeTree(obj.content, node.oid)) {
      map.set(e.name, e.mode === treeMode ? { kind: 'tree', node: { entries: null, order: null, oid: e.oid } } : { kind: 'blob', oid: e.oid });
      order.push(e.name); // a stored tree is in git's order already (git fsck checks it)
    }
    node.entries = map;
    node.order = order;
    return map;
  }

  /** The tree node at `path`, or null when there is none. */
  private async nodeAt(path: readonly string[]): Promise<TreeNode | null> {
    let node = this.root;
    for (const name of path) {
      const child = (await this.entriesOf(node)).get(name);
      if (child?.kind !== 'tree') return null;
      node = child.node;
    }
    return node;
  }

  /** The blob id at `path`, or null. */
  async blobAt(path: readonly string[]): Promise<string | null> {
    const node = await this.nodeAt(path.slice(0, -1));
    if (node === null) return null;
    const child = (await this.entriesOf(node)).get(path[path.length - 1]!);
    return child?.kind === 'blob' ? child.oid : null;
  }

  /** Names in the tree at `path` with their kinds, sorted; empty when there is no such tree. */
  async list(path: readonly string[]): Promise<Array<{ name: string; kind: 'blob' | 'tree'; oid: string | null }>> {
    const node = await this.nodeAt(path);
    if (node === null) return [];
    const out = [...(await this.entriesOf(node))].map(([name, c]) => ({
      name,
      kind: c.kind,
      oid: c.kind === 'blob' ? c.oid : c.node.oid,
    }));
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Puts a blob at `path`, creating trees on the way. Returns false when nothing changed. */
  async setBlob(path: readonly string[], oid: string): Promise<boolean> {
    assert(path.length > 0, 'a blob has a name');
    const chain: TreeNode[] = [this.root];
    let node = this.root;
    for (const name of path.slice(0, -1)) {
      const entries = await this.entriesOf(node);
      let child = entries.get(name);
      if (child === undefined) {
        child = { kind: 'tree', node: emptyNode() };
        entries.set(name, child);
        insertName(node, name, true);
      }
      assert(child.kind === 'tree', `store layout: ${name} is a directory`);
      node = child.node;
      chain.push(node);
    }
    const entries = await this.entriesOf(node);
    const last = path[path.length - 1]!;
    const old = entries.get(last);
    assert(old?.kind !== 'tree', `store layout: ${last} is a file`);
    if (old?.oid === oid) return false;
    entries.set(last, { kind: 'blob', oid });
    if (old === undefined) insertName(node, last, false);
    for (const n of chain) n.oid = null;
    return true;
  }

  /** Removes the blob or tree at `path`, and trees left empty. Returns false when absent. */
  async remove(path: readonly string[]): Promise<boolean> {
    const chain: TreeNode[] = [this.root];
    for (const name of path.slice(0, -1)) {
      const child = (await this.entriesOf(chain[chain.length - 1]!)).get(name);
      if (child?.kind !== 'tree') return false;
      chain.push(child.node);
    }
    const parent = chain[chain.length - 1]!;
    await this.entriesOf(parent);
    if (!removeName(parent, path[path.length - 1]!)) return false;
    for (let i = chain.length - 1; i >= 0; i--) {
      const n = chain[i]!;
      n.oid = null;
      if (i > 0 && n.entries?.size === 0) removeName(chain[i - 1]!, path[i - 1]!);
    }
    return true;
  }

  /** Encodes every dirty tree into `out` (path-tagged for deltas) and returns the root id. */
  flush(out: NewObject[]): string {
    return this.flushNode(this.root, '', out);
  }

  private flushNode(node: TreeNode, path: string, out: NewObject[]): string {
    if (node.oid !== null) return node.oid;
    assert(node.entries !== null && node.order !== null, 'a dirty tree node is loaded');
    const entries: TreeEntry[] = [];
    for (const name of node.order) {
      const c = node.entries.get(name)!;
      entries.push(c.kind === 'blob'
        ? { name, mode: blobMode, oid: c.oid }
        : { name, mode: treeMode, oid: this.flushNode(c.node, `${path}/${name}`, out) });
    }
    const content = encodeTree(entries);
    const oid = objectId('tree', content);
    assert(content.length > 0 || oid === emptyTreeId, 'the empty tree has its well-known id');
    out.push({ oid, type: 'tree', content, path: `tree:${path}` });
    node.oid = oid;
    return oid;
  }
}

function emptyNode(): TreeNode {
  return { entries: new Map(), order: [], oid: null };
}

/** Where `name` goes in the node's order (binary search). */
function positionOf(node: TreeNode, name: string, isTree: boolean): { at: number; found: boolean } {
  const order = node.order!;
  let lo = 0;
  let hi = order.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const other = order[mid]!;
    const c = compareTreeNames(other, node.entries!.get(other)!.kind === 'tree', name, isTree);
    if (c === 0) return { at: mid, found: true };
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return { at: lo, found: false };
}

/** Adds a name just set in the node's entries to its order. */
function insertName(node: TreeNode, name: string, isTree: boolean): void {
  node.order!.splice(positionOf(node, name, isTree).at, 0, name);
}

/** Removes a name from a loaded node's entries and order; false when it was absent. */
function removeName(node: TreeNode, name: string): boolean {
  const child = node.entries!.get(name);
  if (child === undefined) return false;
  const { at, found } = positionOf(node, name, child.kind === 'tree');
  assert(found, 'a tree node\'s order holds each of its names');
  node.order!.splice(at, 1);
  node.entries!.delete(name);
  return true;
}
