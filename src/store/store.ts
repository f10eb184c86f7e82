/**
 * The git-backed store: each node applies the committed Raft log to its own bare repository,
 * which holds the cluster's config and the history of every job attempt.
 *
 * The commit rule (what makes every node's HEAD equal after the same committed index): the
 * commit chain is a pure function of the sequence of committed entries, never of how they
 * were batched.
 *   - Each entry whose effects change the tree makes exactly one commit; an entry whose
 *     effects change nothing (or that has none) makes no commit.
 *   - The commit's tree is the previous tree with the entry's effects applied in order
 *     (layout.ts); its parent is the previous commit (none for the first one).
 *   - Author and committer are `cairn <cairn@cluster>`, both at the entry's log time in whole
 *     seconds (floor of timeMs / 1000), timezone +0000. Nothing else (no node name, no clock).
 *   - The message is `<index>: <summary>`, then, when the entry changed several things, one
 *     line per change, then the trailer `Raft-Term: <term>`.
 * The I/O is batched: all objects of a batch go into one pack (fsynced with its directory),
 * then the ref moves once; apply() calls that arrive while a batch is written, or within
 * batchIntervalMsMin of the last batch, are grouped into the next one. HEAD's message carries
 * the index, so lastAppliedIndex() always agrees with HEAD, and entries at or below it are
 * skipped on a replay. Crash recovery (the ref's lock file names the commit in flight, so the
 * pack that holds it is known) is in openStore(); the tree layout is in layout.ts.
 */
import { assert, CairnError } from '../util/errors.js';
import { batchIntervalMsMin, commitIdentityEmail, commitIdentityName, packEntriesMax } from './constants.js';
import { applyEffect, validateEffect } from './effects.js';
import { decodeCommit, encodeCommit, objectId } from './git-object.js';
import { clearStaleLock, commitHead, deleteHead, prepareHead, readHead, readLock, writeHead } from './head-ref.js';
import { compareNewestFirst, HistoryIndex, sortTimeOf } from './history-index.js';
import {
  attemptFile, attemptOfFile, checkJobId, checkName, configDir, configPath, historyDir, historyShardLevels, jobHistoryPath, pipelineDefinitionFile,
  pipelinePath, pipelineSourceFile, pipelinesDir,
} from './layout.js';
import { ObjectDb } from './object-db.js';
import type { NewObject } from './pack-writer.js';
import { ensureRepo } from './repo-dir.js';
import { decodeSnapshot, encodeSnapshot } from './snapshot-format.js';
import { TreeModel } from './tree-model.js';
import type { HistoryQuery, HistoryRecord, PipelineRecord, Store, StoreEntry, StoreStats } from './types.js';

/** Options of openStore(). */
export interface StoreInit {
  /**
   * Test hook: runs once a batch's pack is durable, before the ref moves. Throwing from it
   * stands for a crash at the worst point: objects written, HEAD not yet moved.
   */
  afterPackWrite?: () => Promise<void>;
  /**
   * How long a batch waits after the previous one began (batchIntervalMsMin unless set).
   * Tests that feed many batches one after another, awaiting each, set 0.
   */
  batchIntervalMs?: number;
}

const identity = `${commitIdentityName} <${commitIdentityEmail}>`;

/** apply() calls written together, in call order. */
type ApplyGroup = Array<{ batch: readonly StoreEntry[]; resolve: () => void; reject: (err: unknown) => void }>;

/** Opens the store in `dir` (a bare repository), creating it on first use and recovering a crashed batch. */
export async function openStore(dir: string, init: StoreInit = {}): Promise<Store> {
  await ensureRepo(dir);
  const db = await ObjectDb.open(dir);
  try {
    const head = await readHead(dir);
    // A batch cut short between its pack and its ref: the ref's lock file names the commit the
    // batch was moving HEAD to, and the pack holding it was the batch's (nothing refers to it).
    const target = await readLock(dir);
    if (target !== null && target !== head) {
      for (const name of db.packsHolding(target)) if (head === null || !db.packHolds(name, head)) await db.deletePack(name);
    }
    await clearStaleLock(dir);
    const imported = await db.pendingImport();
    if (imported !== null) {
      // An import cut short: once HEAD reached its pack, that pack replaces the rest; if not,
      // nothing refers to it and it goes.
      if (head === null || !db.packHolds(imported, head)) await db.deletePack(imported);
      else await db.dropAllBut(imported);
      await db.clearPending();
    }
    const store = new GitStore(dir, db, init);
    await store.load(head);
    return store;
  } catch (err) {
    await db.close();
    throw err;
  }
}

class GitStore implements Store {
  private headOid: string | null = null;
  private headTree: string | null = null;
  private applied = 0;
  private tree: TreeModel;
  private index: HistoryIndex | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  /** The apply calls still to be written in the next batch; closed by any other call. */
  private openGroup: ApplyGroup | null = null;
  private closed = false;
  private commitsWritten = 0;
  private batchesWritten = 0;
  /** When the last batch began (performance.now() ms). */
  private batchStartedMs = -Infinity;
  /** Calls other than apply() queued and not yet run; while any wait, no batch pauses. */
  private urgent = 0;
  /** Ends the pause of a batch waiting for more entries; null when none waits. */
  private wake: (() => void) | null = null;

  constructor(readonly dir: string, private readonly db: ObjectDb, private readonly init: StoreInit) {
    this.tree = new TreeModel(db, null);
  }

  /** Sets the in-memory state from a commit that is durable on disk. */
  async load(head: string | null): Promise<void> {
    this.index = null;
    if (head === null) {
      this.headOid = null;
      this.headTree = null;
      this.applied = 0;
      this.tree = new TreeModel(this.db, null);
      return;
    }
    const obj = await this.db.read(head);
    if (obj.type !== 'commit') throw new CairnError('STORAGE_CORRUPT', `HEAD of ${this.dir} is a ${obj.type}, not a commit`, { head });
    const commit = decodeCommit(obj.content, head);
    const m = /^([0-9]+): /.exec(commit.message);
    if (m === null) throw new CairnError('STORAGE_CORRUPT', `HEAD of ${this.dir} was not written by cairn (its message has no log index)`, { head });
    this.headOid = head;
    this.headTree = commit.tree;
    this.applied = Number(m[1]);
    this.tree = new TreeModel(this.db, commit.tree);
  }

  /** Queues `fn` after every call before it. Any call but apply() is urgent: a batch waiting for more entries goes at once. */
  private serial<T>(fn: () => Promise<T>, urgent = true): Promise<T> {
    assert(!this.closed, 'the store is open');
    this.openGroup = null; // an apply after this call must not be grouped before it
    if (urgent) {
      this.urgent++;
      this.wake?.();
    }
    const run = this.queue.then(fn).finally(() => {
      if (urgent) this.urgent--;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Calls that arrive while a batch is being written wait, and are then written together as
   * one batch (group commit): one pack and one ref update for all of them. A batch also starts
   * no sooner than batchIntervalMsMin after the one before (unless a read or a close is
   * waiting behind it), so entries that trickle in share the cost of a batch. Commit
   * boundaries do not move, since they follow entries, not batches; each call still resolves
   * only once its own entries are durable, and a call whose entries are refused fails alone.
   */
  apply(batch: readonly StoreEntry[]): Promise<void> {
    assert(!this.closed, 'the store is open');
    return new Promise<void>((resolve, reject) => {
      let group = this.openGroup;
      if (group === null) {
        const fresh: ApplyGroup = [];
        void this.serial(async () => {
          await this.pause();
          await this.drain(fresh);
        }, false);
        this.openGroup = group = fresh; // after serial(), which closes any open group
      }
      group.push({ batch, resolve, reject });
    });
  }

  /** Waits until the batch interval has passed since the last batch began, or an urgent call comes. */
  private async pause(): Promise<void> {
    const waitMs = this.batchStartedMs + (this.init.batchIntervalMs ?? batchIntervalMsMin) - performance.now();
    if (waitMs > 0 && this.urgent === 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => this.wake?.(), waitMs);
        this.wake = () => {
          clearTimeout(timer);
          this.wake = null;
          resolve();
        };
      });
    }
    this.batchStartedMs = performance.now();
  }

  private async drain(group: ApplyGroup): Promise<void> {
    if (this.openGroup === group) this.openGroup = null;
    const accepted: ApplyGroup = [];
    for (const w of group) {
      try {
        w.batch.forEach((e, i) => {
          assert(Number.isSafeInteger(e.index) && Number.isSafeInteger(e.term) && Number.isSafeInteger(e.timeMs) && e.timeMs >= 0, 'entry numbers are whole');
          assert(i === 0 || e.index > w.batch[i - 1]!.index, 'a batch is in log order');
        });
        for (const e of w.batch) if (e.index > this.applied) for (const eff of e.effects) validateEffect(eff);
        accepted.push(w);
      } catch (err) {
        w.reject(err);
      }
    }
    // Entries at or below what is applied (or already taken from an earlier call) are replays.
    const todo: StoreEntry[] = [];
    let last = this.applied;
    for (const w of accepted) {
      for (const e of w.batch) {
        if (e.index <= last) continue;
        todo.push(e);
        last = e.index;
      }
    }
    try {
      for (let i = 0; i < todo.length; i += packEntriesMax) await this.applyChunk(todo.slice(i, i + packEntriesMax));
    } catch (err) {
      for (const w of accepted) w.reject(err);
      return;
    }
    for (const w of accepted) w.resolve();
  }

  private async applyChunk(entries: readonly StoreEntry[]): Promise<void> {
    const out: NewObject[] = [];
    let head = this.headOid;
    let headTree = this.headTree;
    let applied = this.applied;
    let commits = 0;
    const indexed: HistoryRecord[] = [];
    let packName: string | null = null;
    try {
      for (const e of entries) {
        const mark = out.length;
        const changes: string[] = [];
        const records: HistoryRecord[] = [];
        for (const eff of e.effects) {
          const change = await applyEffect(this.tree, eff, out);
          if (change === null) continue;
          changes.push(change);
          if (eff.kind === 'history') records.push(eff.record);
        }
        if (changes.length === 0) continue;
        await this.dropOverwritten(out, mark);
        const tree = this.tree.flush(out);
        if (tree === headTree) {
          out.length = mark; // the entry's changes cancelled out: no commit, no new objects
          continue;
        }
        const content = encodeCommit({ tree, parent: head, timeSec: Math.floor(e.timeMs / 1000), message: commitMessage(e, changes) }, identity);
        head = objectId('commit', content);
        out.push({ oid: head, type: 'commit', content, path: null });
        headTree = tree;
        applied = e.index;
        commits++;
        indexed.push(...records);
      }
      if (head === this.headOid) return;
      // The new ref's lock is written and fsynced while the pack is; the pack goes into place
      // once the lock is durable (the lock marks it as in flight), the ref once the pack is.
      packName = await this.db.writePack(out, prepareHead(this.dir, head!));
      if (this.init.afterPackWrite) await this.init.afterPackWrite();
      await commitHead(this.dir);
    } catch (err) {
      // The tree in memory is ahead of the disk: go back to the last durable HEAD, leaving no
      // pack that nothing refers to.
      if (packName !== null) await this.db.deletePack(packName);
      await clearStaleLock(this.dir);
      await this.load(this.headOid);
      throw err;
    }
    this.headOid = head;
    this.headTree = headTree;
    this.applied = applied;
    this.commitsWritten += commits;
    this.batchesWritten++;
    if (this.index !== null) {
      for (const r of indexed) {
        const oid = await this.tree.blobAt([...jobHistoryPath(r.jobId), attemptFile(r.attempt)]);
        if (oid !== null) this.index.put({ jobId: r.jobId, attempt: r.attempt, timeMs: sortTimeOf(r), oid });
      }
    }
    await this.db.compact();
  }

  /** Drops blobs an entry wrote and then overwrote itself: no commit would refer to them. */
  private async dropOverwritten(out: NewObject[], mark: number): Promise<void> {
    for (let i = out.length - 1; i >= mark; i--) {
      const o = out[i]!;
      if (o.type !== 'blob' || o.path === null) continue;
      const path = o.path.slice('blob:'.length).split('/');
      if ((await this.tree.blobAt(path)) !== o.oid) out.splice(i, 1);
    }
  }

  lastAppliedIndex(): number {
    return this.applied;
  }

  head(): Promise<string | null> {
    return this.serial(async () => this.headOid);
  }

  history(query: HistoryQuery): Promise<HistoryRecord[]> {
    return this.serial(async () => {
      if (!Number.isInteger(query.limit) || query.limit < 1) {
        throw new CairnError('INVALID_INPUT', `history limit must be a whole number ≥ 1, not ${String(query.limit)}`, { limit: query.limit });
      }
      if (query.jobId !== undefined) {
        const dir = jobHistoryPath(checkJobId(query.jobId));
        const records: HistoryRecord[] = [];
        for (const f of await this.tree.list(dir)) {
          if (f.kind === 'blob' && f.oid !== null && attemptOfFile(f.name) !== null) records.push(await this.readJson<HistoryRecord>(f.oid, `${dir.join('/')}/${f.name}`));
        }
        const keyed = records.map((r) => ({ r, k: { jobId: r.jobId, attempt: r.attempt, timeMs: sortTimeOf(r), oid: '' } }));
        return keyed.sort((a, b) => compareNewestFirst(a.k, b.k)).slice(0, query.limit).map((x) => x.r);
      }
      const index = await this.historyIndex();
      const out: HistoryRecord[] = [];
      for (const r of index.newest(query.limit)) out.push(await this.readJson<HistoryRecord>(r.oid, `history of ${r.jobId}#${r.attempt}`));
      return out;
    });
  }

  private async historyIndex(): Promise<HistoryIndex> {
    if (this.index !== null) return this.index;
    const index = new HistoryIndex();
    // history/<h0>/<h1>/<h2>/<jobId>/<n>.json: walk the shard levels down to the job directories.
    let dirs: string[][] = [[historyDir]];
    for (let level = 0; level <= historyShardLevels; level++) {
      const next: string[][] = [];
      for (const dir of dirs) for (const e of await this.tree.list(dir)) if (e.kind === 'tree') next.push([...dir, e.name]);
      dirs = next;
    }
    for (const dir of dirs) {
      for (const f of await this.tree.list(dir)) {
        if (f.kind !== 'blob' || f.oid === null) continue;
        const r = await this.readJson<HistoryRecord>(f.oid, `${dir.join('/')}/${f.name}`);
        index.put({ jobId: r.jobId, attempt: r.attempt, timeMs: sortTimeOf(r), oid: f.oid });
      }
    }
    this.index = index;
    return index;
  }

  listPipelines(): Promise<PipelineRecord[]> {
    return this.serial(async () => {
      const out: PipelineRecord[] = [];
      for (const d of await this.tree.list([pipelinesDir])) {
        const p = await this.readPipeline(d.name);
        if (p !== null) out.push(p);
      }
      return out;
    });
  }

  getPipeline(name: string): Promise<PipelineRecord | null> {
    return this.serial(async () => this.readPipeline(checkName(name, 'pipeline name')));
  }

  private async readPipeline(name: string): Promise<PipelineRecord | null> {
    const dir = pipelinePath(name);
    const def = await this.tree.blobAt([...dir, pipelineDefinitionFile]);
    const src = await this.tree.blobAt([...dir, pipelineSourceFile]);
    if (def === null || src === null) return null;
    const source = await this.readJson<{ repo?: string; ref?: string }>(src, `pipelines/${name}/${pipelineSourceFile}`);
    const content = (await this.db.read(def)).content.toString('utf8');
    return {
      name,
      content,
      ...(typeof source.repo === 'string' ? { repo: source.repo } : {}),
      ...(typeof source.ref === 'string' ? { ref: source.ref } : {}),
    };
  }

  getConfig(): Promise<Record<string, unknown>>;
  getConfig(key: string): Promise<unknown>;
  getConfig(key?: string): Promise<unknown> {
    return this.serial(async () => {
      if (key !== undefined) {
        const oid = await this.tree.blobAt(configPath(checkName(key, 'config key')));
        return oid === null ? undefined : this.readJson<unknown>(oid, `config/${key}.json`);
      }
      const all: Record<string, unknown> = {};
      for (const f of await this.tree.list([configDir])) {
        if (f.kind === 'blob' && f.oid !== null && f.name.endsWith('.json')) all[f.name.slice(0, -5)] = await this.readJson<unknown>(f.oid, `config/${f.name}`);
      }
      return all;
    });
  }

  private async readJson<T>(oid: string, what: string): Promise<T> {
    const text = (await this.db.read(oid)).content.toString('utf8');
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw new CairnError('STORAGE_CORRUPT', `${what} in the store is not JSON`, { oid }, { cause });
    }
  }

  exportSnapshot(): Promise<Uint8Array> {
    return this.serial(async () => {
      if (this.headOid === null) return encodeSnapshot({ head: null, idx: Buffer.alloc(0), pack: Buffer.alloc(0) });
      const { pack, idx } = await this.db.exportPack();
      return encodeSnapshot({ head: this.headOid, idx, pack });
    });
  }

  importSnapshot(bytes: Uint8Array): Promise<void> {
    return this.serial(async () => {
      const snap = decodeSnapshot(bytes);
      if (snap.head === null) {
        await deleteHead(this.dir);
        await this.db.dropAllBut('');
        await this.load(null);
        return;
      }
      const name = await this.db.installPack(snap.pack, snap.idx);
      if (!this.db.packHolds(name, snap.head)) {
        await this.db.deletePack(name);
        await this.db.clearPending();
        throw new CairnError('STORAGE_CORRUPT', 'store snapshot is damaged: its pack lacks its HEAD commit', { head: snap.head });
      }
      await writeHead(this.dir, snap.head);
      await this.db.dropAllBut(name); // the marker stays until then: a crash here is finished on open
      await this.db.clearPending();
      await this.load(snap.head);
    });
  }

  stats(): StoreStats {
    return { ...this.db.stats(), commitsWritten: this.commitsWritten, batchesWritten: this.batchesWritten };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.urgent++; // the last batch goes now
    this.wake?.();
    await this.queue;
    this.closed = true;
    await this.db.close();
  }
}

/** `<index>: <summary>`, the changes when there are several, and the entry's term. */
function commitMessage(e: StoreEntry, changes: readonly string[]): string {
  const summary = changes.length === 1 ? changes[0]! : `${changes[0]!} (+${changes.length - 1} more)`;
  const body = changes.length === 1 ? '' : `\n${changes.join('\n')}\n`;
  return `${e.index}: ${summary}\n${body}\nRaft-Term: ${e.term}\n`;
}
