import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { drainAfterExitMs, killGraceMs as defaultKillGraceMs, pipeCloseAfterKillMs } from './constants.js';
import { pump } from './output-pump.js';
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
   * process then blocks on its full pipe, so memory stays bounded. The bytes are valid only
   * during the call (the next output is read into the same memory): copy what you keep.
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

  // stdio 'pipe' is a socket pair in libuv; child_process gives it to us as a net.Socket.
  const stdout = child.stdout as Socket;
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

/** `promise`, or `fallback` after `ms`; the timer is cleared either way so it never holds the process open. */
function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
