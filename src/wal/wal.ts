/**
 * The write-ahead log of one Raft node: appends records to the current segment and fsyncs
 * once per flush before any save() of that flush resolves. Saves that arrive while a flush
 * is on disk wait and share the next fsync (group commit), so N concurrent saves cost about
 * two fsyncs, not N. All disk work runs on one serial chain, in call order.
 *
 * An I/O error poisons the log: the failed save and every later one reject with
 * STORAGE_FAILED, and nothing is retried, because after a failed fsync the kernel may have
 * dropped the dirty pages and a retry would report success for data that is gone.
 */
import { open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Entry, HardState, Snapshot } from '../raft/types.js';
import { CairnError, assert } from '../util/errors.js';
import { encodeEntry, encodeHardState, encodeSnapshotReset } from './codec.js';
import { groupCommitSavesMax } from './constants.js';
import { syncDir, writeAll } from './fs-util.js';
import { RecordType, frameRecord } from './record.js';
import { segmentFileName, type SegmentFile } from './segment.js';
import { frameSnapshot, pruneSnapshotFiles, writeSnapshotFile, type SnapshotFile } from './snapshot-file.js';

/** The durable log of one Raft node. */
export interface Wal {
  /**
   * Appends what one Raft Ready asks to persist and resolves once it is on disk (one fsync,
   * shared with concurrent saves). Order inside a save: the snapshot (a snapshot received
   * from the leader, which replaces the whole log, like etcd's MemoryStorage.ApplySnapshot),
   * then the entries (an entry at or below the last index overwrites from there, §5.3), then
   * the hard state. Call it before sending the messages of that Ready.
   *
   * `{ sync: false }` (a Ready whose `mustSync` is false: only the commit index moved)
   * writes without an fsync of its own; the records become durable with the next synced
   * save. A save with a snapshot is always synced.
   */
  save(hardState: HardState | null, entries: Entry[], snapshot?: Snapshot | null, opts?: SaveOptions): Promise<void>;
  /**
   * Stores a snapshot the node took of its own state machine (the log is kept: entries after
   * it stay valid). Resolves once the snapshot file is durable; then compact() may drop the
   * log below it.
   */
  saveSnapshot(snapshot: Snapshot): Promise<void>;
  /**
   * Deletes the whole segments that hold nothing above `snapshotIndex`, and every snapshot
   * file older than the newest. A snapshot at or above `snapshotIndex` must be durable.
   */
  compact(snapshotIndex: number): Promise<CompactResult>;
  /** Waits for pending saves, then closes the current segment. Later calls reject. */
  close(): Promise<void>;
  /** Counters, for tests and benchmarks. */
  stats(): WalStats;
}

export interface SaveOptions {
  /** Fsync before resolving (default true). */
  sync?: boolean;
}

export interface CompactResult {
  segmentsRemoved: number;
  snapshotsRemoved: number;
}

export interface WalStats {
  saves: number;
  fsyncs: number;
  segments: number;
  lastIndex: number;
}

/** Limits a test may lower; production uses the defaults in constants.ts. */
export interface WalLimits {
  segmentBytesMax: number;
  recordBytesMax: number;
}

/** Where the log stands after recovery; the Wal continues from here. */
export interface WalPosition {
  walDir: string;
  snapDir: string;
  /** Segments oldest first with the highest index each mentions; the last is open. */
  segments: Array<{ file: SegmentFile; maxIndex: number }>;
  current: FileHandle;
  currentBytes: number;
  lastIndex: number;
  hardState: HardState;
  newestSnapshot: SnapshotFile | null;
}

interface EncodedRecord {
  buf: Buffer;
  /** Index of the entry or snapshot reset; 0 for a hard state. */
  index: number;
  hardState: HardState | null;
}

interface PendingSave {
  records: EncodedRecord[];
  snapshot: { snap: Snapshot; body: Buffer } | null;
  sync: boolean;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Builds the Wal over a recovered position; see openWal(). */
export function createWal(pos: WalPosition, limits: WalLimits): Wal {
  return new FileWal(pos, limits);
}

class FileWal implements Wal {
  private readonly pending: PendingSave[] = [];
  private flushScheduled = false;
  private chain: Promise<void> = Promise.resolve();
  private failed: CairnError | null = null;
  private closing = false;
  private saves = 0;
  /** Unsynced saves wrote bytes that the next fsync must cover. */
  private dirty = false;
  private fsyncs = 0;

  constructor(
    private readonly pos: WalPosition,
    private readonly limits: WalLimits,
  ) {}

  save(hardState: HardState | null, entries: Entry[], snapshot: Snapshot | null = null, opts: SaveOptions = {}): Promise<void> {
    const refused = this.refusal();
    if (refused !== null) return Promise.reject(refused);
    let records: EncodedRecord[];
    let framed: { snap: Snapshot; body: Buffer } | null = null;
    try {
      records = this.encode(hardState, entries, snapshot);
      if (snapshot !== null) framed = { snap: snapshot, body: frameSnapshot(snapshot) };
    } catch (err) {
      return Promise.reject(err);
    }
    if (records.length === 0) return Promise.resolve();
    this.saves++;
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ records, snapshot: framed, sync: opts.sync !== false || framed !== null, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        void this.serial(() => this.flushPending());
      }
    });
  }

  saveSnapshot(snapshot: Snapshot): Promise<void> {
    const refused = this.refusal();
    if (refused !== null) return Promise.reject(refused);
    let body: Buffer;
    try {
      body = frameSnapshot(snapshot);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.serial(() =>
      this.guard(async () => {
        this.noteSnapshot(await writeSnapshotFile(this.pos.snapDir, snapshot.meta, body));
      }),
    );
  }

  compact(snapshotIndex: number): Promise<CompactResult> {
    const refused = this.refusal();
    if (refused !== null) return Promise.reject(refused);
    return this.serial(() => {
      // Checked here, not inside guard(): a caller's mistake must not poison the log.
      const snap = this.pos.newestSnapshot;
      assert(snap !== null && snap.index >= snapshotIndex, `compact(${snapshotIndex}) without a durable snapshot at or above it (newest: ${snap?.index ?? 'none'})`);
      return this.guard(() => this.compactNow(snap, snapshotIndex));
    });
  }

  close(): Promise<void> {
    if (this.closing) return this.chain;
    this.closing = true;
    return this.serial(async () => {
      // Saves beyond one flush's share are still queued: write them before closing.
      while (this.pending.length > 0 && this.failed === null) await this.flushPending();
      if (this.failed === null) await this.guard(() => this.writeAndSync([], true));
      await this.pos.current.close();
    });
  }

  stats(): WalStats {
    return { saves: this.saves, fsyncs: this.fsyncs, segments: this.pos.segments.length, lastIndex: this.pos.lastIndex };
  }

  private refusal(): Error | null {
    if (this.failed !== null) return this.failed;
    if (this.closing) return new Error('cairn invariant violated: write-ahead log used after close()');
    return null;
  }

  /** Runs `op` after every earlier operation, whatever their outcome. */
  private serial<T>(op: () => Promise<T>): Promise<T> {
    const p = this.chain.then(op);
    this.chain = p.then(
      () => undefined,
      () => undefined,
    );
    return p;
  }

  /** Runs a disk operation; an I/O error poisons the log (see the file comment). */
  private async guard<T>(op: () => Promise<T>): Promise<T> {
    if (this.failed !== null) throw this.failed;
    try {
      return await op();
    } catch (err) {
      if (err instanceof CairnError) throw err;
      this.failed = new CairnError('STORAGE_FAILED', `write-ahead log in ${this.pos.walDir} failed: ${(err as Error).message}; the log is closed, restart the node`, {
        dir: this.pos.walDir,
        errno: (err as NodeJS.ErrnoException).code ?? null,
      }, { cause: err });
      throw this.failed;
    }
  }

  private encode(hardState: HardState | null, entries: Entry[], snapshot: Snapshot | null): EncodedRecord[] {
    const records: EncodedRecord[] = [];
    if (snapshot !== null) {
      const at = { index: snapshot.meta.index, term: snapshot.meta.term };
      records.push({ buf: frameRecord(RecordType.snapshotReset, encodeSnapshotReset(at)), index: at.index, hardState: null });
    }
    let prev: number | null = null;
    for (const e of entries) {
      assert(prev === null || e.index === prev + 1, `entries to save are not contiguous: ${e.index} after ${prev}`);
      assert(e.index > 0, `entry index must be positive, got ${e.index}`);
      prev = e.index;
      const payload = encodeEntry(e);
      if (payload.length > this.limits.recordBytesMax) {
        throw new CairnError('PAYLOAD_TOO_LARGE', `log entry ${e.index} is ${payload.length} bytes; the write-ahead log limit is recordBytesMax = ${this.limits.recordBytesMax}`, {
          index: e.index,
          bytes: payload.length,
          limit: this.limits.recordBytesMax,
        });
      }
      records.push({ buf: frameRecord(RecordType.entry, payload), index: e.index, hardState: null });
    }
    if (hardState !== null) {
      records.push({ buf: frameRecord(RecordType.hardState, encodeHardState(hardState)), index: 0, hardState: { ...hardState } });
    }
    return records;
  }

  private async flushPending(): Promise<void> {
    // Reset first: saves made while this flush is on disk schedule the next one.
    this.flushScheduled = false;
    const batch = this.pending.splice(0, groupCommitSavesMax);
    if (this.pending.length > 0) {
      this.flushScheduled = true;
      void this.serial(() => this.flushPending());
    }
    try {
      await this.guard(() => this.writeBatch(batch));
    } catch (err) {
      for (const s of batch) s.reject(err);
      return;
    }
    for (const s of batch) s.resolve();
  }

  private async writeBatch(batch: PendingSave[]): Promise<void> {
    // A received snapshot must be durable before the record that empties the log for it.
    for (const s of batch) {
      if (s.snapshot !== null) {
        this.noteSnapshot(await writeSnapshotFile(this.pos.snapDir, s.snapshot.snap.meta, s.snapshot.body));
      }
    }
    let chunks: Buffer[] = [];
    for (const s of batch) {
      for (const rec of s.records) {
        if (this.pos.currentBytes > 0 && this.pos.currentBytes + rec.buf.length > this.limits.segmentBytesMax) {
          await this.writeAndSync(chunks, true);
          chunks = await this.rollOver(rec);
        }
        chunks.push(rec.buf);
        this.pos.currentBytes += rec.buf.length;
        this.apply(rec);
      }
    }
    await this.writeAndSync(chunks, batch.some((s) => s.sync));
  }

  private async writeAndSync(chunks: Buffer[], sync: boolean): Promise<void> {
    if (chunks.length > 0) {
      await writeAll(this.pos.current, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
      this.dirty = true;
    }
    if (!sync || !this.dirty) return;
    // fdatasync: for an append it also flushes the new file size, which is all we need.
    await this.pos.current.datasync();
    this.dirty = false;
    this.fsyncs++;
  }

  /**
   * Closes the full segment and starts the next one, which begins with the current hard
   * state so that compaction can delete every older segment without losing term and vote.
   * Returns the chunks already queued for the new segment.
   */
  private async rollOver(next: EncodedRecord): Promise<Buffer[]> {
    const last = this.pos.segments[this.pos.segments.length - 1];
    assert(last !== undefined, 'a write-ahead log always has a current segment');
    const file = {
      seq: last.file.seq + 1,
      firstIndex: next.index > 0 ? next.index : this.pos.lastIndex + 1,
      name: '',
    };
    file.name = segmentFileName(file.seq, file.firstIndex);
    await this.pos.current.close();
    this.pos.current = await open(join(this.pos.walDir, file.name), 'a');
    await syncDir(this.pos.walDir);
    this.pos.segments.push({ file, maxIndex: 0 });
    const hs = frameRecord(RecordType.hardState, encodeHardState(this.pos.hardState));
    this.pos.currentBytes = hs.length;
    return [hs];
  }

  private apply(rec: EncodedRecord): void {
    const seg = this.pos.segments[this.pos.segments.length - 1];
    assert(seg !== undefined, 'a write-ahead log always has a current segment');
    if (rec.hardState !== null) {
      this.pos.hardState = rec.hardState;
      return;
    }
    this.pos.lastIndex = rec.index;
    seg.maxIndex = Math.max(seg.maxIndex, rec.index);
  }

  private noteSnapshot(file: SnapshotFile): void {
    const cur = this.pos.newestSnapshot;
    if (cur === null || file.index >= cur.index) this.pos.newestSnapshot = file;
  }

  private async compactNow(snap: SnapshotFile, snapshotIndex: number): Promise<CompactResult> {
    const snapshotsRemoved = await pruneSnapshotFiles(this.pos.snapDir, snap);
    // Delete a prefix only: a segment's records are replayed after every earlier one's, so
    // removing one in the middle could resurrect entries a later segment had overwritten.
    let removable = 0;
    while (removable < this.pos.segments.length - 1 && (this.pos.segments[removable]?.maxIndex ?? Infinity) <= snapshotIndex) removable++;
    const removed = this.pos.segments.splice(0, removable);
    for (const s of removed) await rm(join(this.pos.walDir, s.file.name), { force: true });
    if (removed.length > 0) await syncDir(this.pos.walDir);
    return { segmentsRemoved: removed.length, snapshotsRemoved };
  }
}
