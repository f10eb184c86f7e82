import { logKey, rangeReplyRawBytesMax, type IndexRecord, type LogChunk, type LogEnd, type RangeReply, type RangeRequest } from '../logs/index.js';
import { CairnError } from '../util/errors.js';
import { LogReader } from './log-reader.js';
import { LogWriter, exists, type LogSink } from './log-writer.js';
import { logPaths, type LogPaths } from './paths.js';
import { Signal, sleep } from '../util/signal.js';

export interface LogStoreInit {
  /** The logs directory (`<data-dir>/logs`). */
  root: string;
  /** Wall clock, ms since the epoch; default Date.now. */
  now?: () => number;
}

export interface OpenLogOptions {
  sinks?: readonly LogSink[];
  /** See LogWriterInit.external: the executor writes the file, the writer indexes and publishes. */
  external?: boolean;
  chunkFlushMs?: number;
  chunkBytesMax?: number;
}

export interface LocalFollowOptions {
  /** First chunk wanted; default 0. */
  fromSeq?: number;
  /** Keep going while the log grows, until its end marker (default true). */
  follow?: boolean;
  signal?: AbortSignal;
}

/**
 * This node's logs: the attempts it runs (live writers) and the files it keeps. It serves any
 * chunk range from the files, to local readers and to peers repairing gaps, and follows a
 * local log as it grows.
 */
export class LogStore {
  readonly root: string;
  readonly #now: () => number;
  readonly #reader = new LogReader();
  readonly #live = new Map<string, LogWriter>();
  readonly #opened = new Signal();

  constructor(init: LogStoreInit) {
    this.root = init.root;
    this.#now = init.now ?? Date.now;
  }

  /**
   * Starts the log of an attempt this node runs. Its files are made before this returns (see
   * LogWriter.open); the promise only carries a refusal as a rejection.
   */
  async open(job: string, attempt: number, opts: OpenLogOptions = {}): Promise<LogWriter> {
    const key = logKey(job, attempt);
    if (this.#live.has(key)) throw new CairnError('CONFLICT', `the log of ${job} attempt ${attempt} is already open`, { job, attempt });
    const writer = LogWriter.open({ root: this.root, job, attempt, now: this.#now, ...opts });
    this.#live.set(key, writer);
    this.#opened.notify();
    const forget = (): void => {
      if (this.#live.get(key) === writer) this.#live.delete(key);
    };
    void writer.whenClosed.then(forget);
    return writer;
  }

  /** The live writer of an attempt, if this node is writing it now. */
  live(job: string, attempt: number): LogWriter | undefined {
    return this.#live.get(logKey(job, attempt));
  }

  /** Whether this node has the attempt's log (running here, or its files). */
  async has(job: string, attempt: number): Promise<boolean> {
    if (this.live(job, attempt) !== undefined) return true;
    return exists(this.paths(job, attempt).idx);
  }

  /**
   * Waits until this node has the attempt's log (a follow may start just before the attempt
   * does), up to `timeoutMs`; false if it still has none.
   */
  async waitFor(job: string, attempt: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const opened = this.#opened.wait();
      if (await this.has(job, attempt)) return true;
      const left = deadline - performance.now();
      if (left <= 0 || signal?.aborted) return false;
      const stop = new AbortController();
      const onAbort = (): void => stop.abort();
      signal?.addEventListener('abort', onAbort, { once: true });
      await Promise.race([opened, sleep(left, stop.signal)]);
      stop.abort();
      signal?.removeEventListener('abort', onAbort);
    }
  }

  paths(job: string, attempt: number): LogPaths {
    return logPaths(this.root, job, attempt);
  }

  /** The end marker of a finished attempt, or null. */
  async end(job: string, attempt: number): Promise<LogEnd | null> {
    return this.live(job, attempt)?.ended ?? this.#reader.end(this.paths(job, attempt));
  }

  /** The chunk index (offsets and per-chunk times, for the REPL); NOT_FOUND without a log. */
  async index(job: string, attempt: number): Promise<readonly IndexRecord[]> {
    return (await this.#state(job, attempt)).records;
  }

  /** Serves a range request: the chunks in [fromSeq, toSeq) up to the byte budget, the tip, and the end if any. */
  async readRange(req: RangeRequest): Promise<RangeReply> {
    const { records, end, paths } = await this.#state(req.job, req.attempt);
    const budget = Math.min(req.rawBytesMax, rangeReplyRawBytesMax);
    const to = Math.min(req.toSeq, records.length);
    const picked: Array<{ seq: number; rec: IndexRecord }> = [];
    let raw = 0;
    for (let seq = req.fromSeq; seq < to; seq++) {
      const rec = records[seq]!;
      // At least one chunk per reply, so a reader with a tiny budget still makes progress.
      if (picked.length > 0 && raw + rec.length > budget) break;
      picked.push({ seq, rec });
      raw += rec.length;
    }
    const chunks: LogChunk[] = [];
    if (picked.length > 0) {
      const first = picked[0]!.rec.offset;
      const bytes = await this.#reader.bytes(paths, first, first + raw);
      for (const { seq, rec } of picked) {
        chunks.push({ job: req.job, attempt: req.attempt, seq, offset: rec.offset, timeMs: rec.timeMs, data: bytes.subarray(rec.offset - first, rec.offset - first + rec.length) });
      }
    }
    return { job: req.job, attempt: req.attempt, chunks, tipSeq: records.length, end };
  }

  /**
   * The attempt's chunks from `fromSeq` on, read from this node's files; with `follow`, waits
   * for new chunks while the attempt runs here, and ends after its last chunk. A log whose
   * writer is gone without an end marker (the node restarted mid-job) ends where the file ends.
   */
  async *follow(job: string, attempt: number, opts: LocalFollowOptions = {}): AsyncGenerator<LogChunk> {
    let next = opts.fromSeq ?? 0;
    const follow = opts.follow ?? true;
    const aborted = abortOf(opts.signal);
    for (;;) {
      if (opts.signal?.aborted) return;
      const writer = this.live(job, attempt);
      const changed = writer?.changed();
      const reply = await this.readRange({ job, attempt, fromSeq: next, toSeq: Number.MAX_SAFE_INTEGER, rawBytesMax: rangeReplyRawBytesMax });
      for (const c of reply.chunks) {
        yield c;
        next = c.seq + 1;
      }
      if (reply.chunks.length > 0) continue;
      if (reply.end !== null || writer === undefined || !follow || changed === undefined) return;
      await Promise.race([changed, aborted]);
    }
  }

  /** Forgets cached data of a deleted log. */
  forget(job: string, attempt: number): void {
    this.#reader.forget(this.paths(job, attempt));
  }

  async #state(job: string, attempt: number): Promise<{ records: readonly IndexRecord[]; end: LogEnd | null; paths: LogPaths }> {
    const paths = this.paths(job, attempt);
    const writer = this.live(job, attempt);
    if (writer !== undefined) return { records: writer.records, end: writer.ended, paths };
    const end = await this.#reader.end(paths);
    const records = await this.#reader.index(paths, end !== null);
    if (records === null) throw new CairnError('NOT_FOUND', `no log for ${job} attempt ${attempt} on this node`, { job, attempt });
    // A finished log's index holds exactly its chunks; trust the marker if a torn write left more.
    return { records: end === null ? records : records.slice(0, end.seqEnd), end, paths };
  }
}

/** Resolves when `signal` aborts (never without one). */
export function abortOf(signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return new Promise(() => {});
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
