import { closeSync, mkdirSync, openSync, write } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { MaskingStream, type SecretSet } from './masker.js';
import { CommandScanner } from './workflow-commands.js';

const newline = 0x0a;
const writeAsync = promisify(write);

/**
 * A job's log file, the record of what the job printed. Writes are serialised (a step's
 * background child may still write while the next step runs) and awaited, so a fast
 * producer waits for the disk and for `onOutput` instead of filling memory.
 */
export class JobLog {
  readonly file: string;
  readonly #fd: number;
  readonly #onOutput: ((bytes: Uint8Array) => void | Promise<void>) | undefined;
  #tail: Promise<void> = Promise.resolve();
  /** The first write that failed; `close()` reports it. */
  #error: unknown;
  #lastByte = newline;
  #bytes = 0;

  private constructor(file: string, fd: number, onOutput: ((bytes: Uint8Array) => void | Promise<void>) | undefined) {
    this.file = file;
    this.#fd = fd;
    this.#onOutput = onOutput;
  }

  /**
   * Creates (or truncates) the file. Synchronous on purpose: two small syscalls cost less
   * than a round trip through libuv's thread pool when many jobs start at once.
   */
  static open(file: string, onOutput?: (bytes: Uint8Array) => void | Promise<void>): JobLog {
    mkdirSync(dirname(file), { recursive: true });
    return new JobLog(file, openSync(file, 'w'), onOutput);
  }

  /** Bytes written so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Appends bytes (already masked), then hands them to `onOutput`. */
  write(bytes: Uint8Array): Promise<void> {
    if (bytes.length === 0) return this.#tail;
    return this.#enqueue(() => this.#append(bytes));
  }

  /**
   * Writes a line of cairn's own (a step header or trailer), first ending the output's last
   * line if it had no newline, so cairn's lines always start a line. That newline is the only
   * byte the log adds to a step's output.
   */
  line(text: string, secrets: SecretSet): Promise<void> {
    const masked = secrets.maskString(text) + '\n';
    return this.#enqueue(() => this.#append(Buffer.from(this.#lastByte === newline ? masked : '\n' + masked)));
  }

  /**
   * Like `line`, without waiting: the line is queued in order with every other write, and a
   * failure is reported by `close()`. For lines on a job's critical path (step headers).
   */
  note(text: string, secrets: SecretSet): void {
    this.line(text, secrets).catch(() => undefined);
  }

  #enqueue(fn: () => Promise<void>): Promise<void> {
    const next = this.#tail.then(fn);
    // A failed write fails its caller; later writes still run (and likely fail the same way).
    this.#tail = next.catch((err: unknown) => {
      this.#error ??= err;
    });
    return next;
  }

  async #append(bytes: Uint8Array): Promise<void> {
    let off = 0;
    while (off < bytes.length) off += (await writeAsync(this.#fd, bytes, off, bytes.length - off, null)).bytesWritten;
    this.#bytes += bytes.length;
    this.#lastByte = bytes[bytes.length - 1]!;
    await this.#onOutput?.(bytes);
  }

  /** Waits for every queued write, closes the file, and throws the first write error if any. */
  async close(): Promise<void> {
    await this.#tail;
    closeSync(this.#fd);
    if (this.#error !== undefined) throw this.#error;
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

  /** Takes raw bytes from the process. */
  push = (bytes: Uint8Array): Promise<void> => {
    const r = this.#scanner.push(bytes);
    for (const m of r.masks) this.#secrets.add(m);
    return this.#log.write(this.#masker.push(r.bytes));
  };

  /** The step is over: releases what the scanner and masker held back. */
  async flush(): Promise<void> {
    const r = this.#scanner.flush();
    for (const m of r.masks) this.#secrets.add(m);
    await this.#log.write(this.#masker.push(r.bytes));
    await this.#log.write(this.#masker.flush());
  }
}
