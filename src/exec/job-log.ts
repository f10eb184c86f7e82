import { closeSync, mkdirSync, openSync, writev } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { writeAllv } from '../util/fs-durable.js';
import { Signal } from '../util/signal.js';
import { MaskingStream, type SecretSet } from './masker.js';
import { CommandScanner } from './workflow-commands.js';

const newline = 0x0a;
const writevAsync = promisify(writev);

/**
 * Bytes a job log takes ahead of the disk and of `onOutput`: the job's output keeps flowing
 * while a write is in flight or being gathered, and what piles up meanwhile goes out in one
 * system call. Past this the job waits, so memory stays bounded.
 */
export const logWriteAheadBytesMax = 2 * 1024 * 1024;

/**
 * A write to the log file waits until this many bytes are ready or the oldest has waited
 * `logWriteGatherMs`. Each write is a round trip through libuv's thread pool, whose wake-ups
 * cost far more than the copy on these virtual machines: small writes (pipe reads, lines) are
 * gathered, while a step's output, which the executor already hands on in batches, goes out
 * at once (50 MB printed flat out: ~1,700 writes per pipe read, ~200 per batch).
 */
export const logWriteBatchBytes = 64 * 1024;

/** How long the first bytes of a write wait for more (a quiet job's line reaches the file and onOutput this much later). */
export const logWriteGatherMs = 5;

/**
 * The log copies what it takes into blocks of this size, reused once they are written and
 * handed on: the bytes a caller passes are valid only during its call (the executor reads the
 * next output into the same memory), and 50 MB of output then leaves no garbage behind. A
 * quiet job holds two blocks (one being written, one filling); a fast one at most its
 * write-ahead limit and a batch in flight.
 */
export const logBlockBytes = 64 * 1024;

/** What write() returns when there is nothing to wait for (one object, not one per call). */
const resolved = Promise.resolve();

/**
 * A job's log file, the record of what the job printed. Bytes are taken in order (a step's
 * background child may still write while the next step runs) and written behind the job:
 * they are copied into reused blocks, gathered for up to `logWriteGatherMs` (or
 * `logWriteBatchBytes`), and whatever arrives while a write is in flight goes out with the
 * next one, in one system call, then to `onOutput` in the same order (a block's bytes are
 * valid only during that call, as everywhere on the output path). So a fast producer costs a
 * few large writes instead of one thread-pool round trip per pipe read, and it only waits (on
 * the promise `write` returns) once `logWriteAheadBytesMax` bytes are not yet written and
 * passed on.
 */
export class JobLog {
  readonly file: string;
  readonly #fd: number;
  /** Whether close() closes the file (the log opened it itself). */
  readonly #ownsFd: boolean;
  readonly #onOutput: ((bytes: Uint8Array) => void | Promise<void>) | undefined;
  /** Full blocks taken and not yet being written, in order; `#block` follows them. */
  #full: Buffer[] = [];
  /** The block being filled (its first `#blockUsed` bytes), or null. */
  #block: Buffer | null = null;
  #blockUsed = 0;
  /** Blocks written and handed on, ready to be filled again. */
  #free: Buffer[] = [];
  /** Bytes taken and not yet written and passed to onOutput. */
  #aheadBytes = 0;
  /** A drain runs (set and cleared in the same turn as the queue check, so no write is left behind). */
  #draining = false;
  #drained: Promise<void> = Promise.resolve();
  /** Wakes writers waiting for room. */
  readonly #room = new Signal();
  /** Bytes in `#full` and `#block` (taken, not yet being written). */
  #gatheredBytes = 0;
  /** When the oldest gathered byte was taken (performance.now()). */
  #gatheredSinceMs = 0;
  /** Ends the drain's wait for more bytes early (enough gathered, or closing). */
  #gathering: { timer: NodeJS.Timeout; resolve: () => void } | null = null;
  #closing = false;
  /** The first write or onOutput that failed: later writes and `close()` report it. */
  #error: unknown;
  #failed = false;
  #lastByte = newline;
  #bytes = 0;

  private constructor(file: string, fd: number, ownsFd: boolean, onOutput: ((bytes: Uint8Array) => void | Promise<void>) | undefined) {
    this.file = file;
    this.#fd = fd;
    this.#ownsFd = ownsFd;
    this.#onOutput = onOutput;
  }

  /**
   * Creates (or truncates) the file, and its directory if missing. Synchronous on purpose:
   * a syscall or two cost less than a round trip through libuv's thread pool when many jobs
   * start at once.
   */
  static open(file: string, onOutput?: (bytes: Uint8Array) => void | Promise<void>): JobLog {
    let fd: number;
    try {
      fd = openSync(file, 'w');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      mkdirSync(dirname(file), { recursive: true });
      fd = openSync(file, 'w');
    }
    return new JobLog(file, fd, true, onOutput);
  }

  /**
   * Writes into `file` through `fd`, which its owner opened (the node's log service, which
   * indexes and publishes what `onOutput` is handed) and closes after `close()`.
   */
  static attach(file: string, fd: number, onOutput?: (bytes: Uint8Array) => void | Promise<void>): JobLog {
    return new JobLog(file, fd, false, onOutput);
  }

  /** Bytes taken so far (written, or about to be). */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Appends bytes (already masked); they reach the file, then `onOutput`, in the background.
   * Resolves at once unless too many bytes wait (then once there is room); rejects once a
   * write has failed. The log copies `bytes`: the caller may reuse them once this returns.
   */
  write(bytes: Uint8Array): Promise<void> {
    return this.append(bytes) ?? resolved;
  }

  /**
   * `write` for the hot path (a step's output, once per pipe read): undefined when the bytes
   * were taken without waiting, so the caller allocates and awaits nothing.
   */
  append(bytes: Uint8Array): Promise<void> | undefined {
    if (this.#failed) return Promise.reject(this.#error);
    if (bytes.length === 0) return undefined;
    this.#take(bytes);
    return this.#aheadBytes > logWriteAheadBytesMax ? this.#waitForRoom() : undefined;
  }

  /**
   * Writes a line of cairn's own (a step header or trailer), first ending the output's last
   * line if it had no newline, so cairn's lines always start a line. That newline is the only
   * byte the log adds to a step's output.
   */
  line(text: string, secrets: SecretSet): Promise<void> {
    const masked = secrets.maskString(text) + '\n';
    return this.write(Buffer.from(this.#lastByte === newline ? masked : '\n' + masked));
  }

  /**
   * Like `line`, without waiting: the line is queued in order with every other write, and a
   * failure is reported by `close()`. For lines on a job's critical path (step headers).
   */
  note(text: string, secrets: SecretSet): void {
    this.line(text, secrets).catch(() => undefined);
  }

  #take(bytes: Uint8Array): void {
    if (this.#gatheredBytes === 0) this.#gatheredSinceMs = performance.now();
    for (let pos = 0; pos < bytes.length; ) {
      this.#block ??= this.#free.pop() ?? Buffer.allocUnsafe(logBlockBytes);
      const n = Math.min(bytes.length - pos, logBlockBytes - this.#blockUsed);
      this.#block.set(n === bytes.length ? bytes : bytes.subarray(pos, pos + n), this.#blockUsed);
      this.#blockUsed += n;
      pos += n;
      if (this.#blockUsed === logBlockBytes) {
        this.#full.push(this.#block);
        this.#block = null;
        this.#blockUsed = 0;
      }
    }
    this.#gatheredBytes += bytes.length;
    if (this.#gatheredBytes >= logWriteBatchBytes) this.#stopGathering();
    this.#aheadBytes += bytes.length;
    this.#bytes += bytes.length;
    this.#lastByte = bytes[bytes.length - 1]!;
    if (this.#draining) return;
    this.#draining = true;
    this.#drained = this.#drain();
  }

  /** Writes what was taken, batch by batch, each batch then handed to onOutput in order. */
  async #drain(): Promise<void> {
    // Let the producer's synchronous writes of this turn join the first batch.
    await Promise.resolve();
    while (this.#gatheredBytes > 0) {
      const waitMs = logWriteGatherMs - (performance.now() - this.#gatheredSinceMs);
      if (this.#gatheredBytes < logWriteBatchBytes && waitMs > 0 && !this.#closing && !this.#failed) await this.#gather(waitMs);
      // The block being filled goes out with the batch; what comes next starts a new one.
      const blocks = this.#full;
      const batch: Uint8Array[] = blocks.slice();
      this.#full = [];
      if (this.#block !== null) {
        batch.push(this.#block.subarray(0, this.#blockUsed));
        blocks.push(this.#block);
        this.#block = null;
        this.#blockUsed = 0;
      }
      const batchBytes = this.#gatheredBytes;
      this.#gatheredBytes = 0;
      try {
        await writeAllv((group) => writevAsync(this.#fd, group), batch);
        if (this.#onOutput !== undefined) {
          for (const b of batch) {
            const r = this.#onOutput(b);
            if (r !== undefined) await r;
          }
        }
        this.#aheadBytes -= batchBytes;
        for (const b of blocks) this.#free.push(b);
      } catch (err) {
        this.#error = err;
        this.#failed = true;
        this.#full = [];
        this.#block = null;
        this.#blockUsed = 0;
        this.#aheadBytes = 0;
        this.#gatheredBytes = 0;
      }
      this.#room.notify();
    }
    this.#draining = false;
  }

  /** Waits `ms` for more bytes, or less if enough come first or the log closes. */
  #gather(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#gathering = { timer: setTimeout(() => this.#stopGathering(), ms), resolve };
    });
  }

  #stopGathering(): void {
    const g = this.#gathering;
    if (g === null) return;
    this.#gathering = null;
    clearTimeout(g.timer);
    g.resolve();
  }

  async #waitForRoom(): Promise<void> {
    while (this.#aheadBytes > logWriteAheadBytesMax && !this.#failed) await this.#room.wait();
    if (this.#failed) throw this.#error;
  }


  /** Waits for every queued write, closes the file (if the log opened it), and throws the first write error if any. */
  async close(): Promise<void> {
    this.#closing = true;
    this.#stopGathering();
    while (this.#draining) await this.#drained;
    if (this.#ownsFd) closeSync(this.#fd);
    this.#free = [];
    if (this.#failed) throw this.#error;
  }
}

/**
 * One step's output on its way to the log: `::add-mask::` lines are taken out and their
 * values masked from then on, then every secret is masked, even across writes.
 */
export class StepOutput {
  readonly #log: JobLog;
  readonly #secrets: SecretSet;
  readonly #scanner = new CommandScanner();
  readonly #masker: MaskingStream;

  constructor(log: JobLog, secrets: SecretSet) {
    this.#log = log;
    this.#secrets = secrets;
    this.#masker = new MaskingStream(secrets);
  }

  /** Takes raw bytes from the process; a promise only when the log is full (see JobLog.append). */
  push = (bytes: Uint8Array): Promise<void> | undefined => {
    const r = this.#scanner.push(bytes);
    for (const m of r.masks) this.#secrets.add(m);
    return this.#log.append(this.#masker.push(r.bytes));
  };

  /** The step is over: releases what the scanner and masker held back. */
  async flush(): Promise<void> {
    const r = this.#scanner.flush();
    for (const m of r.masks) this.#secrets.add(m);
    await this.#log.write(this.#masker.push(r.bytes));
    await this.#log.write(this.#masker.flush());
  }
}
