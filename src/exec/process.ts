import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { drainAfterExitMs, killGraceMs as defaultKillGraceMs, outputBatchBytes, outputBatchMs, pipeCloseAfterKillMs } from './constants.js';
import { forgetGroup, groupAlive, signalGroup, terminateGroup, trackGroup } from './process-group.js';

/** What to run: a command with its full environment, and where its output goes. */
export interface ProcessSpec {
  argv: string[];
  cwd: string;
  /** The complete environment (nothing is inherited implicitly). */
  env: Record<string, string>;
  /**
   * Receives stdout and stderr interleaved exactly as the process wrote them (both are the
   * same pipe), raw bytes, in order. Awaited: a slow consumer slows the reader, and the
   * process then blocks on its full pipe, so memory stays bounded.
   */
  onOutput: (bytes: Uint8Array) => void | Promise<void>;
  /** Aborting ends the whole process group (SIGTERM, SIGKILL after the grace period). */
  signal?: AbortSignal;
  /** Aborting sends SIGKILL to the whole group at once (a second Ctrl-C). */
  forceSignal?: AbortSignal;
  timeoutMs?: number;
  killGraceMs?: number;
}

export interface ProcessOutcome {
  /** null when the process was ended by a signal or never started. */
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  durationMs: number;
  /** Why the process could not start (bad cwd, ...). */
  startError?: string;
}

/** A process running in its own process group. */
export interface RunningProcess {
  pid: number | undefined;
  /** The main process exited and its output is drained (see `drainAfterExitMs`). */
  done: Promise<ProcessOutcome>;
  /**
   * Ends whatever is left of the group (background children a step left running): SIGTERM,
   * then SIGKILL after the grace period; resolves once the group is gone and its output read.
   */
  terminate(graceMs?: number): Promise<void>;
}

/**
 * Starts a process as the leader of a new process group, with Node's own spawn (execa costs
 * ~25 ms to load and ~0.5 ms of CPU per call, and nothing here needs it). stderr is joined
 * to stdout inside the child (`exec "$@" 2>&1` in a tiny sh), so the two streams keep the
 * exact order the process wrote them in, as on a terminal; reading them from two pipes would
 * reorder them.
 */
export function startProcess(spec: ProcessSpec): RunningProcess {
  const started = performance.now();
  const graceMs = spec.killGraceMs ?? defaultKillGraceMs;
  const child = spawn('/bin/sh', ['-c', 'exec "$@" 2>&1', 'sh', ...spec.argv], {
    cwd: spec.cwd,
    env: spec.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const pid = child.pid;
  if (pid !== undefined) trackGroup(pid);

  const stdout = child.stdout as Readable;
  const pumped = pump(stdout, spec.onOutput);

  let timedOut = false;
  let cancelled = false;
  let terminating: Promise<void> | undefined;
  const terminate = (grace = graceMs): Promise<void> => {
    terminating ??= (async () => {
      if (pid !== undefined) await terminateGroup(pid, grace);
      // Anything that escaped the group (a daemon that called setsid) may still hold the
      // pipe; give the last bytes a moment, then stop reading.
      const closed = await within(pumped.then(() => true, () => true), pipeCloseAfterKillMs, false);
      if (!closed) stdout.destroy();
      if (pid !== undefined) forgetGroup(pid);
    })();
    return terminating;
  };

  // Output that cannot be delivered (the log's disk is full) stops the process: left alone,
  // it would block for ever on its full pipe.
  pumped.catch(() => {
    stdout.resume();
    void terminate();
  });

  const onAbort = (): void => {
    cancelled = true;
    void terminate();
  };
  if (spec.signal?.aborted) onAbort();
  else spec.signal?.addEventListener('abort', onAbort, { once: true });
  const onForce = (): void => {
    cancelled = true;
    if (pid !== undefined) signalGroup(pid, 'SIGKILL');
    void terminate(0);
  };
  if (spec.forceSignal?.aborted) onForce();
  else spec.forceSignal?.addEventListener('abort', onForce, { once: true });
  const timer =
    spec.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          void terminate();
        }, spec.timeoutMs);

  const exited = new Promise<{ code: number | null; signal: string | null; error?: string }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (err) => resolve({ code: null, signal: null, error: err.message }));
  });

  const done = (async (): Promise<ProcessOutcome> => {
    const exit = await exited;
    if (timer) clearTimeout(timer);
    spec.signal?.removeEventListener('abort', onAbort);
    spec.forceSignal?.removeEventListener('abort', onForce);
    // With no live process left in the group the pipe is about to close: read it to the end,
    // however long the consumer takes. A background child keeps it open: stop waiting soon.
    if (exit.error !== undefined || pid === undefined || !groupAlive(pid)) {
      await pumped.catch(() => undefined);
      if (pid !== undefined && terminating === undefined) forgetGroup(pid);
    } else {
      await within(pumped.catch(() => undefined), drainAfterExitMs, undefined);
    }
    if (terminating) await terminating;
    const outcome: ProcessOutcome = {
      exitCode: exit.code,
      signal: exit.signal,
      timedOut,
      cancelled,
      durationMs: performance.now() - started,
    };
    if (exit.error !== undefined) outcome.startError = exit.error;
    return outcome;
  })();

  return { pid, done, terminate };
}

/**
 * Hands the stream's bytes to `onOutput` in order, gathered: a fast writer's pipe yields a
 * read per write (8 KiB for C stdio), and everything after the pipe (masking, the log file,
 * digest, index, gossip) costs per call as much as per byte. So reads are joined until
 * `outputBatchBytes` have come or the oldest has waited `outputBatchMs`; a quiet process's
 * line still goes out within a few milliseconds. The stream pauses only while a promise
 * `onOutput` returned is pending (the consumer is full): a consumer that takes the bytes at
 * once costs no promise per call, and output flows at the pipe's pace. Settles at the end of
 * the stream, when it is destroyed (what was read is still delivered, the rest of its output
 * abandoned), or at the first error.
 */
function pump(stream: Readable, onOutput: (bytes: Uint8Array) => void | Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let finishing = false;
    let pending: Promise<void> | undefined;
    let gathered: Buffer[] = [];
    let gatheredBytes = 0;
    let timer: NodeJS.Timeout | undefined;
    const fail = (err: unknown): void => {
      if (timer !== undefined) clearTimeout(timer);
      if (settled) return;
      settled = true;
      stream.off('data', onData);
      reject(err);
    };
    /** Hands on what was gathered; false once the consumer has failed. */
    const deliver = (): boolean => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      if (gatheredBytes === 0 || settled) return !settled;
      const bytes = gathered.length === 1 ? gathered[0]! : Buffer.concat(gathered, gatheredBytes);
      gathered = [];
      gatheredBytes = 0;
      let r: void | Promise<void>;
      try {
        r = onOutput(bytes);
      } catch (err) {
        fail(err);
        return false;
      }
      if (r === undefined) return true;
      const wait = r;
      pending = wait;
      stream.pause();
      wait.then(() => {
        if (pending === wait) pending = undefined;
        if (!settled && !finishing) stream.resume();
      }, fail);
      return true;
    };
    const finish = (): void => {
      if (finishing) return;
      finishing = true;
      const done = (): void => {
        if (settled) return;
        settled = true;
        resolve();
      };
      const last = (): void => {
        if (!deliver()) return;
        if (pending === undefined) done();
        else pending.then(done, fail);
      };
      if (pending === undefined) last();
      else pending.then(last, fail);
    };
    const onData = (chunk: Buffer): void => {
      gathered.push(chunk);
      gatheredBytes += chunk.length;
      if (gatheredBytes >= outputBatchBytes) deliver();
      else timer ??= setTimeout(deliver, outputBatchMs);
    };
    stream.on('data', onData);
    stream.once('end', finish);
    stream.once('close', finish);
    stream.once('error', (err) => {
      // What was read before the error still reaches the log.
      deliver();
      fail(err);
    });
  });
}

/** `promise`, or `fallback` after `ms`; the timer is cleared either way so it never holds the process open. */
function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
