/**
 * The object database of the store: the packs under `objects/pack`, read by positioned reads
 * and written one pack per batch. Each new pack is fsynced and renamed into place before any
 * ref may point into it; a marker file names the pack in flight, so that recovery can tell a
 * crashed batch's pack (no ref points into it: delete it) from a finished one.
 */
import { readdir, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { assert, CairnError } from '../util/errors.js';
import { objectBytesMax, objectCacheBytesMax, packCountMax, pendingMergeFile, pendingPackFile } from './constants.js';
import { applyDelta } from './delta.js';
import { closeFd, fsyncFd, openFd, syncDir, unlinkIfPresent, writeAllFd, writeFileSynced } from './fs-durable.js';
import { emptyTreeId, objectId, type ObjectType } from './git-object.js';
import { LruCache } from './lru-cache.js';
import { OidFilter } from './oid-filter.js';
import { PackFile } from './pack-file.js';
import { buildPack, type NewObject } from './pack-writer.js';
import { concatPacks, type ConcatResult } from './pack-concat.js';
import { packBytesMax } from './pack-format.js';

export interface StoredObject {
  type: ObjectType;
  content: Buffer;
  byteLength: number;
}

/** Files git may keep beside a pack: reverse index, bitmap, cruft mtimes. */
const packCompanionExts = ['rev', 'bitmap', 'mtimes'];

/** Deepest delta chain followed on read; git writes 50, a foreign pack may go deeper. */
const deltaChainReadMax = 10_000;

export class ObjectDb {
  private packs: PackFile[] = [];
  /** Every id the packs hold (and perhaps some they held): has() asks it first. */
  private filter = new OidFilter(0);
  private readonly cache = new LruCache<StoredObject>(objectCacheBytesMax);

  private constructor(readonly gitdir: string) {}

  get packDir(): string {
    return join(this.gitdir, 'objects', 'pack');
  }

  /** Loads every pack; an index lost in a power cut is rebuilt from its pack. */
  static async open(gitdir: string): Promise<ObjectDb> {
    const db = new ObjectDb(gitdir);
    for (const n of await readdir(db.packDir)) if (n.startsWith('tmp_')) await unlinkIfPresent(join(db.packDir, n));
    await db.finishMerge();
    const names = (await readdir(db.packDir)).sort();
    for (const f of names.filter((n) => /^pack-[0-9a-f]{40}\.pack$/.test(n))) {
      const base = f.slice(0, -'.pack'.length);
      db.packs.push(await db.openPack(base, names.includes(`${base}.idx`)));
    }
    db.rebuildFilter();
    for (const f of names.filter((n) => n.endsWith('.idx') && !names.includes(`${n.slice(0, -4)}.pack`))) {
      throw new CairnError('STORAGE_CORRUPT', `pack index ${f} has no pack next to it`, { path: join(db.packDir, f) });
    }
    return db;
  }

  private async openPack(base: string, hasIdx: boolean): Promise<PackFile> {
    const packPath = join(this.packDir, `${base}.pack`);
    const idxPath = join(this.packDir, `${base}.idx`);
    if (hasIdx) {
      try {
        return await PackFile.open(packPath, idxPath, await readFile(idxPath));
      } catch (err) {
        if (!(err instanceof CairnError) || err.data['part'] !== 'index') throw err;
      }
    }
    // The index is derived data (written without an fsync of its own): rebuild it from the pack.
    try {
      await unlinkIfPresent(idxPath);
      // Loaded only here: isomorphic-git is ~2.5 MiB of memory once imported, and this is rare.
      const { default: git } = await import('isomorphic-git');
      await git.indexPack({ fs, dir: this.gitdir, gitdir: this.gitdir, filepath: join('objects', 'pack', `${base}.pack`) });
    } catch (cause) {
      throw new CairnError('STORAGE_CORRUPT', `pack ${packPath} is corrupt and its index cannot be rebuilt`, { path: packPath }, { cause });
    }
    return PackFile.open(packPath, idxPath, await readFile(idxPath));
  }

  /** Adds a pack with its ids, growing the filter (twice what is held) when it is full. */
  private addPack(pack: PackFile): void {
    this.packs.push(pack);
    if (this.filter.size + pack.count > this.filter.capacity) this.rebuildFilter();
    else pack.addIdsTo(this.filter);
  }

  private rebuildFilter(): void {
    const held = this.packs.reduce((n, p) => n + p.count, 0);
    this.filter = new OidFilter(2 * held);
    for (const p of this.packs) p.addIdsTo(this.filter);
  }

  /** True when some pack holds `oid`. */
  has(oid: string): boolean {
    // The empty tree counts only once written: git fsck wants every tree a commit names.
    const want = Buffer.from(oid, 'hex');
    return this.filter.mayHold(want, 0) && this.packs.some((p) => p.findRaw(want) >= 0);
  }

  /** Reads an object and checks its id; a missing or mismatched object is corruption. */
  async read(oid: string): Promise<StoredObject> {
    if (oid === emptyTreeId) return { type: 'tree', content: Buffer.alloc(0), byteLength: 0 };
    const want = Buffer.from(oid, 'hex');
    for (const p of this.packs) {
      const offset = p.findRaw(want);
      if (offset < 0) continue;
      const obj = await this.resolveAt(p, offset, 0);
      if (objectId(obj.type, obj.content) !== oid) {
        throw new CairnError('STORAGE_CORRUPT', `object ${oid} in ${p.packPath} does not match its id`, { oid });
      }
      return obj;
    }
    return this.readLoose(oid);
  }

  private async resolveAt(pack: PackFile, offset: number, depth: number): Promise<StoredObject> {
    const key = `${pack.name}@${offset}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    if (depth > deltaChainReadMax) throw new CairnError('STORAGE_CORRUPT', `pack ${pack.packPath} has a delta chain without end`, { offset });
    const e = await pack.readEntry(offset);
    let obj: StoredObject;
    if (e.kind === 'whole') {
      obj = { type: e.type, content: e.data, byteLength: e.data.length };
    } else {
      const base = e.kind === 'ofs-delta' ? await this.resolveAt(pack, e.baseOffset, depth + 1) : await this.read(e.baseOid);
      const content = applyDelta(e.data, base.content);
      obj = { type: base.type, content, byteLength: content.length };
    }
    this.cache.set(key, obj);
    return obj;
  }

  /** Loose objects are never written by the store, but a git user may have added some. */
  private async readLoose(oid: string): Promise<StoredObject> {
    const path = join(this.gitdir, 'objects', oid.slice(0, 2), oid.slice(2));
    const raw = await readFile(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw new CairnError('STORAGE_CORRUPT', `object ${oid} is missing from the store`, { oid });
      throw err;
    });
    let wrapped: Buffer;
    try {
      wrapped = inflateSync(raw, { maxOutputLength: objectBytesMax });
    } catch (cause) {
      throw new CairnError('STORAGE_CORRUPT', `loose object ${oid} does not inflate`, { oid }, { cause });
    }
    const nul = wrapped.indexOf(0);
    const [type] = wrapped.toString('latin1', 0, Math.max(nul, 0)).split(' ');
    if (nul < 0 || (type !== 'blob' && type !== 'tree' && type !== 'commit')) {
      throw new CairnError('STORAGE_CORRUPT', `loose object ${oid} has no valid header`, { oid });
    }
    const content = wrapped.subarray(nul + 1);
    if (objectId(type, content) !== oid) throw new CairnError('STORAGE_CORRUPT', `loose object ${oid} does not match its id`, { oid });
    return { type, content, byteLength: content.length };
  }

  /**
   * Writes the objects not yet stored as one new pack, fsynced, then renames it into place
   * once `ready` (the new ref's lock file, which names the batch's last commit) is durable,
   * and fsyncs the directory. Until the ref moves, that lock file is what tells recovery the
   * pack is a crashed batch's (see openStore). Returns the pack's name, or null when every
   * object was stored already.
   */
  async writePack(objects: readonly NewObject[], ready: Promise<void>): Promise<string | null> {
    ready.catch(() => undefined); // awaited below; a failure before then must not go unhandled
    const fresh: NewObject[] = [];
    const seen = new Set<string>();
    for (const o of objects) {
      if (seen.has(o.oid) || this.has(o.oid)) continue;
      seen.add(o.oid);
      fresh.push(o);
    }
    if (fresh.length === 0) {
      await ready;
      return null;
    }
    const built = buildPack(fresh);
    assert(built.pack.length <= packBytesMax, 'a batch pack stays below 2 GiB');
    const base = join(this.packDir, `pack-${built.name}`);
    const tmpPack = join(this.packDir, `tmp_pack_${built.name}`);
    const tmpIdx = join(this.packDir, `tmp_idx_${built.name}`);
    // The descriptor the pack is written through stays open for reading it.
    const fd = await openFd(tmpPack, 'w+');
    try {
      const pack = async (): Promise<void> => {
        await writeAllFd(fd, built.pack);
        await fsyncFd(fd);
      };
      // The index is derived data (rebuilt by open() if a power cut tears it): no fsync.
      await Promise.all([pack(), writeFileSynced(tmpIdx, built.idx, false), ready]);
      // Git finds packs by their index, so the pack goes into place first.
      await rename(tmpPack, `${base}.pack`);
      await rename(tmpIdx, `${base}.idx`);
      await syncDir(this.packDir);
    } catch (err) {
      await closeFd(fd);
      throw err;
    }
    this.addPack(PackFile.written(`${base}.pack`, fd, built.pack.length, built.idx));
    return built.name;
  }

  /** Drops the import marker once the ref that makes the imported pack reachable is durable. */
  async clearPending(): Promise<void> {
    await unlinkIfPresent(join(this.gitdir, pendingPackFile));
  }

  /**
   * The pack a snapshot import left named in its marker, if any, read before any new write.
   * An imported pack holds every object, so once kept it replaces all the others.
   */
  async pendingImport(): Promise<string | null> {
    const text = await readFile(join(this.gitdir, pendingPackFile), 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    return text === null ? null : (text.trim().split(' ')[0] ?? '');
  }

  /** The names of the packs that hold `oid`. */
  packsHolding(oid: string): string[] {
    return this.packs.filter((p) => p.find(oid) >= 0).map((p) => p.name);
  }

  /** True when pack `name` holds `oid`. */
  packHolds(name: string, oid: string): boolean {
    return this.packs.some((p) => p.name === name && p.find(oid) >= 0);
  }

  /** Deletes a pack (index first, so git never sees an index without its pack). */
  async deletePack(name: string): Promise<void> {
    const i = this.packs.findIndex((p) => p.name === name);
    if (i >= 0) {
      await this.packs[i]!.close();
      this.packs.splice(i, 1);
    }
    const base = join(this.packDir, `pack-${name}`);
    await unlinkIfPresent(`${base}.idx`);
    // Files git itself may have added next to a pack (after a user's `git gc`) go with it.
    for (const ext of packCompanionExts) await unlinkIfPresent(`${base}.${ext}`);
    await unlinkIfPresent(`${base}.pack`);
    this.cache.clear();
  }

  /**
   * Once there are more than packCountMax packs, merges the small ones as `git repack
   * --geometric=2` does: the largest packs that each hold at least twice the one below stay,
   * the packs below the highest break in that progression merge, and so does any pack above
   * that would not be twice the merged one. Batch packs are small and alike, so one merge
   * takes in all the batches since the last one, and a byte is copied O(log n) times.
   */
  async compact(): Promise<void> {
    if (this.packs.length <= packCountMax) return;
    const bySize = [...this.packs].sort((a, b) => a.packBytes - b.packBytes);
    let split = bySize.length - 1;
    while (split > 0 && bySize[split]!.packBytes >= 2 * bySize[split - 1]!.packBytes) split--;
    let merged = split + 1;
    let bytes = bySize.slice(0, merged).reduce((n, p) => n + p.packBytes, 0);
    while (merged < bySize.length && bySize[merged]!.packBytes < 2 * bytes) bytes += bySize[merged++]!.packBytes;
    await this.merge(bySize.slice(0, Math.max(merged, 2)));
  }

  private async merge(sources: PackFile[]): Promise<void> {
    const tmpPath = join(this.packDir, 'tmp_pack_merge');
    // The descriptor the merged pack is written through stays open for reading it.
    const fd = await openFd(tmpPath, 'w+');
    let result: ConcatResult | null;
    let bytes = 0;
    try {
      result = await concatPacks(sources, async (chunk) => {
        await writeAllFd(fd, chunk);
        bytes += chunk.length;
      });
      if (result !== null) await fsyncFd(fd);
    } catch (err) {
      await closeFd(fd);
      throw err;
    }
    if (result === null) {
      // Packs sharing objects (only after a crash during an import) stay apart.
      await closeFd(fd);
      await unlinkIfPresent(tmpPath);
      return;
    }
    const name = result.checksum.toString('hex');
    const base = join(this.packDir, `pack-${name}`);
    try {
      await writeFileSynced(join(this.gitdir, pendingMergeFile), Buffer.from(JSON.stringify({ target: name, sources: sources.map((s) => s.name) })), true);
      await writeFileSynced(join(this.packDir, 'tmp_idx_merge'), result.idx, false); // derived: rebuilt if torn
      await rename(tmpPath, `${base}.pack`);
      await rename(join(this.packDir, 'tmp_idx_merge'), `${base}.idx`);
      await syncDir(this.packDir);
    } catch (err) {
      await closeFd(fd);
      throw err;
    }
    this.packs.push(PackFile.written(`${base}.pack`, fd, bytes, result.idx)); // its ids are in the filter already
    for (const s of sources) await this.deletePack(s.name);
    await syncDir(this.packDir);
    await unlinkIfPresent(join(this.gitdir, pendingMergeFile));
  }

  /**
   * Completes or undoes a merge a crash interrupted: once the merged pack is in place, its
   * sources go; otherwise whatever of the merged pack exists goes and the sources stay.
   */
  private async finishMerge(): Promise<void> {
    const marker = join(this.gitdir, pendingMergeFile);
    const text = await readFile(marker, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    if (text === null) return;
    let plan: { target: string; sources: string[] };
    try {
      plan = JSON.parse(text) as { target: string; sources: string[] };
    } catch {
      plan = { target: '', sources: [] }; // a torn marker: the merge never started its renames
    }
    // The merged pack is renamed into place only after its fsync, so its name means it is whole
    // (its index, written without an fsync, is rebuilt by open() if a power cut tore it).
    const target = join(this.packDir, `pack-${plan.target}`);
    const complete = /^[0-9a-f]{40}$/.test(plan.target) && (await stat(`${target}.pack`).then(() => true, () => false));
    const doomed = complete ? plan.sources.filter((s) => /^[0-9a-f]{40}$/.test(s)) : [plan.target];
    for (const name of doomed) {
      if (name === '') continue;
      await unlinkIfPresent(join(this.packDir, `pack-${name}.idx`));
      await unlinkIfPresent(join(this.packDir, `pack-${name}.pack`));
    }
    await syncDir(this.packDir);
    await unlinkIfPresent(marker);
  }

  /** All objects as one pack and its index, in memory (for a snapshot). */
  async exportPack(): Promise<{ pack: Buffer; idx: Buffer }> {
    const chunks: Buffer[] = [];
    const result = await concatPacks(this.packs, async (chunk) => { chunks.push(chunk); });
    if (result === null) {
      throw new CairnError('STORAGE_CORRUPT', `two packs of ${this.gitdir} hold the same objects; run git repack -a -d in it`, { gitdir: this.gitdir });
    }
    return { pack: Buffer.concat(chunks), idx: result.idx };
  }

  /**
   * Installs a pack received in a snapshot after reading back every object in it, so a
   * damaged snapshot is refused before it replaces anything. Returns the pack's name; the
   * caller then moves the ref and calls dropAllBut().
   */
  async installPack(pack: Buffer, idx: Buffer): Promise<string> {
    const name = createHash('sha1').update(pack.subarray(0, pack.length - 20)).digest('hex');
    const tmpPack = join(this.packDir, `tmp_pack_${name}`);
    const tmpIdx = join(this.packDir, `tmp_idx_${name}`);
    await writeFileSynced(tmpPack, pack, true);
    await writeFileSynced(tmpIdx, idx, true);
    const staged = await PackFile.open(tmpPack, tmpIdx, idx).catch(async (err: unknown) => {
      await unlinkIfPresent(tmpPack);
      await unlinkIfPresent(tmpIdx);
      throw err;
    });
    try {
      const probe = new ObjectDb(this.gitdir);
      probe.packs = [staged];
      for (const e of staged.entries()) await probe.read(e.oid);
    } catch (err) {
      await staged.close();
      await unlinkIfPresent(tmpPack);
      await unlinkIfPresent(tmpIdx);
      throw err;
    }
    await staged.close();
    await writeFileSynced(join(this.gitdir, pendingPackFile), Buffer.from(`${name} import\n`), false);
    const base = join(this.packDir, `pack-${name}`);
    await rename(tmpPack, `${base}.pack`);
    await rename(tmpIdx, `${base}.idx`);
    await syncDir(this.packDir);
    const existing = this.packs.findIndex((p) => p.name === name);
    if (existing >= 0) {
      await this.packs[existing]!.close();
      this.packs.splice(existing, 1);
    }
    this.addPack(await PackFile.open(`${base}.pack`, `${base}.idx`, idx));
    return name;
  }

  /** Deletes every pack but `keep` (after an import moved the ref into it). */
  async dropAllBut(keep: string): Promise<void> {
    for (const p of [...this.packs]) if (p.name !== keep) await this.deletePack(p.name);
    await syncDir(this.packDir);
    this.rebuildFilter(); // forget the dropped packs' ids
  }

  stats(): { packs: number; objects: number; packBytes: number } {
    return {
      packs: this.packs.length,
      objects: this.packs.reduce((n, p) => n + p.count, 0),
      packBytes: this.packs.reduce((n, p) => n + p.packBytes, 0),
    };
  }

  async close(): Promise<void> {
    for (const p of this.packs) await p.close();
    this.packs = [];
    this.cache.clear();
  }
}
