import { createHash, type Hash } from 'node:crypto';
import { closeSync, fdatasync, mkdirSync, open, openSync, renameSync, statSync, writeSync, writev } from 'node:fs';
import { stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { ChunkBatcher, chunkBytesMax as defaultChunkBytesMax, encodeIndexRecords, type IndexRecord, type LogChunk, type LogEnd } from '../logs/index.js';
import { CairnError, assert } from '../util/errors.js';
import { logPaths, type LogPaths } from './paths.js';
import { indexFlushMs, writeAheadBytesMax } from './constants.js';
import { writeAllv } from '../util/fs-durable.js';
import { Signal } from '../util/signal.js';

const writevAsync = promisify(writev);
const datasyncAsync = promisify(fdatasync);
const openAsync = promisify(open);

/** Where a writer's chunks and end marker go besides the file (the gossip publisher, local followers). */
export interface LogSink {
  /**
   * Chunks just cut and indexed, in order. Must not throw or block: it queues. Their data is
   * valid only during the call (it is a view of the job's output, whose memory is reused): a
   * sink that keeps it copies it.
   */
  chunks(chunks: readonly LogChunk[]): void;
  end(end: LogEnd): void;
}

export interface LogWriterInit {
  /** The logs directory (`<data-dir>/logs`). */
  root: string;
  job: string;
  attempt: number;
  /** Wall clock for chunk timestamps, ms since the epoch; default Date.now. */
  now?: () => number;
  sinks?: readonly LogSink[];
  /**
   * The executor writes `<attempt>.log` itself, through the writer's descriptor (pass
   * `writer.file` and `writer.fd` as its `JobRunSpec.logFile` and `logFd`, and its `onOutput`
   * to `write`): the writer then only indexes, digests and publishes the bytes, which the
   * executor has already written when it calls `onOutput`, and makes them durable in `end()`.
   */
  external?: boolean;
  chunkFlushMs?: number;
  chunkBytesMax?: number;
}

/**
 * The owner's side of an attempt's log: appends the bytes to `logs/<job>/<attempt>.log`
 * (raw, in order: the record), cuts them into chunks, appends each chunk's offset, length and
 * time to `<attempt>.idx`, and hands the chunks to its sinks. `end()` makes it all durable
 * and writes `<attempt>.end` with the file's SHA-256. Writes are taken ahead of the disk up
 * to `writeAheadBytesMax` and written in order, several per system call; past that the job
 * waits for the disk instead of filling memory. Small writes are joined into chunks of up to
 * `chunkBytesMax`. The bytes a caller passes are valid only during its call (see `append`).
 */
export class LogWriter {
  readonly job: string;
  readonly attempt: number;
  readonly paths: LogPaths;
  /** `<attempt>.log`, open from open() to end() or close(), whoever writes it. */
  readonly #logFd: number;
  readonly #idxFd: number;
  readonly #external: boolean;
  readonly #batcher: ChunkBatcher;
  readonly #chunkBytesMax: number;
  readonly #now: () => number;
  readonly #sinks: LogSink[];
  readonly #hash: Hash = createHash('sha256');
  readonly #records: IndexRecord[] = [];
  #bytes = 0;
  /** Copies of the bytes taken by write() and not yet written (see writeAheadBytesMax). */
  #ahead: Uint8Array[] = [];
  #aheadTimes: number[] = [];
  #aheadBytes = 0;
  #draining = false;
  #ending = false;
  #failed: unknown = null;
  readonly #roomSignal = new Signal();
  #tail: Promise<void> = Promise.resolve();
  /** Encoded index records not yet written to `<attempt>.idx` (see #emit). */
  #idxAhead: Uint8Array[] = [];
  #idxWriting = false;
  #idxWritten: Promise<void> = Promise.resolve();
  /** Starts the next index write (see indexFlushMs). */
  #idxTimer: NodeJS.Timeout | undefined;
  #timer: NodeJS.Timeout | undefined;
  #end: LogEnd | null = null;
  #closed = false;
  readonly #changed = new Signal();
  #onClosed!: () => void;
  /** Resolves once the log is ended or closed (no more writes). */
  readonly whenClosed = new Promise<void>((r) => {
    this.#onClosed = r;
  });

  private constructor(init: LogWriterInit, paths: LogPaths, logFd: number, idxFd: number) {
    this.job = init.job;
    this.attempt = init.attempt;
    this.paths = paths;
    this.#logFd = logFd;
    this.#idxFd = idxFd;
    this.#external = init.external === true;
    this.#now = init.now ?? Date.now;
    this.#sinks = [...(init.sinks ?? [])];
    const limits = { ...(init.chunkFlushMs === undefined ? {} : { chunkFlushMs: init.chunkFlushMs }), ...(init.chunkBytesMax === undefined ? {} : { chunkBytesMax: init.chunkBytesMax }) };
    this.#batcher = new ChunkBatcher({ job: init.job, attempt: init.attempt, ...limits });
    this.#chunkBytesMax = init.chunkBytesMax ?? defaultChunkBytesMax;
  }

  /**
   * Creates (or truncates) the attempt's files; CONFLICT if the attempt already has an end
   * marker. Synchronous on purpose: a job's first output waits for these files, and on a
   * busy node each thread-pool round trip waited for milliseconds (a queue behind other
   * nodes' fsyncs, and a wake-up on a loaded CPU: ~23 ms p50 for the four it took), while
   * the three syscalls take ~0.2 ms each on a quiet disk and ~1 ms on one that has just
   * freed many inodes (each makes one, see JobDirPool). Making them ahead in the thread
   * pool instead took them off the main thread but cost more CPU per job in all.
   */
  static open(init: LogWriterInit): LogWriter {
    const paths = logPaths(init.root, init.job, init.attempt);
    // A directory just made holds no end marker: only an earlier attempt's directory is looked in.
    const made = mkdirSync(paths.dir, { recursive: true });
    if (made === undefined && statSync(paths.end, { throwIfNoEntry: false }) !== undefined) {
      throw new CairnError('CONFLICT', `the log of ${init.job} attempt ${init.attempt} is already finished`, { job: init.job, attempt: init.attempt });
    }
    const logFd = openSync(paths.log, 'w');
    let idxFd: number;
    try {
      idxFd = openSync(paths.idx, 'w');
    } catch (err) {
      closeSync(logFd);
      throw err;
    }
    return new LogWriter(init, paths, logFd, idxFd);
  }

  /** The log file (give it to the executor in `external` mode). */
  get file(): string {
    return this.paths.log;
  }

  /**
   * The log file's descriptor, for the executor to write through in `external` mode (one
   * open for both). The writer closes it in `end()` or `close()`: call those only once the
   * executor has stopped writing (its JobLog is closed).
   */
  get fd(): number {
    assert(this.#external, 'the descriptor of a log the writer writes itself');
    return this.#logFd;
  }

  /** Bytes written (and digested) so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Chunks cut so far; the next chunk's seq. */
  get tipSeq(): number {
    return this.#records.length;
  }

  /** The index so far: chunk `seq` is `records[seq]`. */
  get records(): readonly IndexRecord[] {
    return this.#records;
  }

  get ended(): LogEnd | null {
    return this.#end;
  }

  /** Resolves at the next chunk cut, end or close (local followers wait on it). */
  changed(): Promise<void> {
    return this.#changed.wait();
  }

  /** Adds a sink for chunks cut from now on. */
  addSink(sink: LogSink): void {
    this.#sinks.push(sink);
  }

  /**
   * Appends bytes (already masked) to the log. The bytes are taken at once and written in
   * the background, several writes per system call when they come fast; the promise waits
   * only while more than `writeAheadBytesMax` bytes are not yet on disk (backpressure to the
   * job). A failed disk write fails this and every later call. In external mode (the bytes
   * are in the file already) they are digested, indexed and published at once. The bytes are
   * valid only during the call (the executor reuses its memory): the writer copies what it
   * keeps, and hands its sinks views valid only during their call.
   */
  write(bytes: Uint8Array): Promise<void> {
    return this.append(bytes) ?? resolved;
  }

  /**
   * `write` for the hot path (the executor's onOutput, several times per batch it writes):
   * undefined when the bytes were taken without waiting, so the caller awaits nothing.
   */
  append(bytes: Uint8Array): Promise<void> | undefined {
    assert(this.#end === null && !this.#closed && !this.#ending, 'write to a finished log');
    if (this.#failed !== null) return Promise.reject(this.#failed);
    if (bytes.byteLength === 0) return undefined;
    if (this.#external) {
      // External: the bytes are in the file already, so there is nothing to wait for; and
      // they are valid only during this call, so they are digested now.
      this.#digest(bytes, this.#now());
      this.#digested(bytes.byteLength);
      return undefined;
    }
    // A copy (the bytes are valid only during this call), written and digested behind.
    this.#ahead.push(new Uint8Array(bytes));
    this.#aheadTimes.push(this.#now());
    this.#aheadBytes += bytes.byteLength;
    this.#kick();
    return this.#aheadBytes > writeAheadBytesMax ? this.#room() : undefined;
  }

  /** Starts the background drain unless it runs. */
  #kick(): void {
    if (this.#draining) return;
    this.#draining = true;
    this.#enqueue(() => this.#drain())
      .catch((err: unknown) => {
        this.#failed ??= err;
      })
      .finally(() => {
        this.#draining = false;
        this.#roomSignal.notify();
        if (this.#ahead.length > 0 && this.#failed === null) this.#kick();
      });
  }

  /** Writes, digests, indexes and publishes everything taken so far. */
  async #drain(): Promise<void> {
    if (this.#failed !== null) throw this.#failed;
    if (this.#external) return;
    while (this.#ahead.length > 0) {
      const batch = this.#ahead;
      const times = this.#aheadTimes;
      this.#ahead = [];
      this.#aheadTimes = [];
      await writeAllv((group) => writevAsync(this.#logFd, group), batch);
      let batchBytes = 0;
      for (let i = 0; i < batch.length; i++) {
        this.#digest(batch[i]!, times[i]!);
        batchBytes += batch[i]!.byteLength;
      }
      this.#digested(batchBytes);
      this.#aheadBytes -= batchBytes;
      this.#roomSignal.notify();
    }
  }

  /**
   * Digests, indexes and publishes one write now in the file. Its chunks go to the sinks
   * before the next write is cut: a chunk's data is valid only until then (see ChunkBatcher).
   */
  #digest(bytes: Uint8Array, timeMs: number): void {
    this.#hash.update(bytes);
    this.#bytes += bytes.byteLength;
    // A chunk carries the time of its first write, so chunk times say when the job printed.
    this.#emit(this.#batcher.push(bytes, timeMs));
  }

  /** After a batch of writes is digested: ends its last chunk if output flows fast, arms the timer. */
  #digested(batchBytes: number): void {
    // Output flowing fast: the batch's tail ends a chunk rather than wait to be joined (a copy)
    // to what comes next, so the next batch is cut into views of itself.
    if (batchBytes >= this.#chunkBytesMax) this.#emit(this.#batcher.flush());
    this.#arm();
  }

  async #room(): Promise<void> {
    while (this.#aheadBytes > writeAheadBytesMax && this.#failed === null) await this.#roomSignal.wait();
    if (this.#failed !== null) throw this.#failed;
  }

  /**
   * Ends the log: cuts the last chunk, syncs the files, writes the end marker (the record's
   * digest) and hands it to the sinks. Idempotent: a second call returns the same marker.
   */
  end(): Promise<LogEnd> {
    this.#ending = true;
    return this.#enqueue(async () => {
      if (this.#end !== null) return this.#end;
      assert(!this.#closed, 'end of a closed log');
      await this.#drain();
      this.#disarm();
      this.#emit(this.#batcher.flush());
      const end: LogEnd = {
        job: this.job,
        attempt: this.attempt,
        seqEnd: this.#records.length,
        bytes: this.#bytes,
        sha256: this.#hash.digest('hex'),
        timeMs: Math.floor(this.#now()),
      };
      // The log, its index and the marker's temporary file reach the disk side by side (one
      // wait instead of three in a row); the marker takes its name only once all three have,
      // so a marker on disk always describes files on disk.
      const tmp = `${this.paths.end}.tmp`;
      const synced = await Promise.allSettled([
        datasyncAsync(this.#logFd),
        this.#idxFlushed().then(() => datasyncAsync(this.#idxFd)),
        writeSynced(tmp, JSON.stringify(end) + '\n'),
      ]);
      this.#closeFiles();
      for (const s of synced) if (s.status === 'rejected') throw s.reason;
      renameSync(tmp, this.paths.end);
      this.#end = end;
      for (const s of this.#sinks) s.end(end);
      this.#notify();
      this.#onClosed();
      return end;
    });
  }

  /** Closes the files without an end marker (the node is shutting down mid-job). */
  close(): Promise<void> {
    this.#ending = true;
    return this.#enqueue(async () => {
      if (this.#closed) return;
      await this.#drain().catch(() => undefined);
      this.#disarm();
      this.#emit(this.#batcher.flush());
      await this.#idxFlushed().catch(() => undefined);
      this.#closeFiles();
      this.#notify();
      this.#onClosed();
    });
  }

  /** Closes both descriptors, once no write or sync on them is in flight. */
  #closeFiles(): void {
    this.#closed = true;
    closeSync(this.#logFd);
    closeSync(this.#idxFd);
  }

  #enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(fn);
    // A failed write fails its caller; later writes still run (and likely fail the same way).
    this.#tail = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  /**
   * Indexes chunks just cut and hands them to the sinks. The index file is written behind:
   * readers of a live log use `records`, and `end()` waits for the file before its marker.
   */
  #emit(chunks: LogChunk[]): void {
    if (chunks.length === 0) return;
    const records = chunks.map((c) => ({ offset: c.offset, timeMs: c.timeMs, length: c.data.byteLength }));
    this.#idxAhead.push(encodeIndexRecords(records));
    this.#idxTimer ??= setTimeout(() => this.#startIdxWrite(), indexFlushMs);
    for (const r of records) this.#records.push(r);
    for (const s of this.#sinks) s.chunks(chunks);
    this.#notify();
  }

  #startIdxWrite(): void {
    clearTimeout(this.#idxTimer);
    this.#idxTimer = undefined;
    if (this.#idxWriting || this.#idxAhead.length === 0) return;
    this.#idxWriting = true;
    this.#idxWritten = this.#writeIdx();
  }

  /** Appends the queued index records, several batches per system call. */
  async #writeIdx(): Promise<void> {
    try {
      while (this.#idxAhead.length > 0) {
        const batch = this.#idxAhead;
        this.#idxAhead = [];
        await writeAllv((group) => writevAsync(this.#idxFd, group), batch);
      }
    } catch (err) {
      this.#failed ??= err;
      this.#idxAhead = [];
    }
    this.#idxWriting = false;
  }

  /** Waits until the index file holds every record cut so far; throws if a write failed. */
  async #idxFlushed(): Promise<void> {
    while (this.#idxWriting) await this.#idxWritten;
    this.#startIdxWrite();
    while (this.#idxWriting) await this.#idxWritten;
    if (this.#failed !== null) throw this.#failed;
  }

  #notify(): void {
    this.#changed.notify();
  }

  /** Arms the flush timer for the batcher's deadline, if bytes are pending and none is armed. */
  #arm(): void {
    if (this.#timer !== undefined) return;
    const deadline = this.#batcher.deadlineMs();
    if (deadline === null) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#closed || this.#end !== null) return;
      this.#enqueue(async () => {
        this.#emit(this.#batcher.tick(this.#now()));
        this.#arm();
      }).catch(() => undefined);
    }, Math.max(0, deadline - this.#now()));
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/** What write() returns when there is nothing to wait for (one object, not one per call). */
const resolved = Promise.resolve();

/**
 * Writes a small new file and waits for it to reach the disk; renamed into place afterwards,
 * readers see either nothing or all of it. The open (a new inode) goes to the thread pool;
 * the few bytes are written at once.
 */
async function writeSynced(path: string, text: string): Promise<void> {
  const fd = await openAsync(path, 'w');
  try {
    const bytes = Buffer.from(text);
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
    await datasyncAsync(fd);
  } finally {
    closeSync(fd);
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
