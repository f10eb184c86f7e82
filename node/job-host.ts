import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { AttemptStatus, ClusterState, Command, CommandResult, StartAttemptEffect, StopAttemptEffect } from '../src/cluster/index.js';
import { JobDirPool, runJob, type Conclusion, type JobDirs, type JobResult, type NeedResult } from '../src/exec/index.js';
import type { AttemptLog } from '../src/logstore/index.js';
import { trace } from '../src/util/trace.js';
import { AttemptReporter } from './attempt-reporter.js';

/** How long a cancelled or lease-expired attempt's processes get between SIGTERM and SIGKILL. */
const attemptKillGraceMs = 5000;
/**
 * How long after an attempt's work starts its "running" report waits. An attempt that ends
 * sooner sends its start and its end as one report batch, one Raft entry instead of two (most
 * CI steps that end this fast are trivial ones: `true`, an echo, a skipped check); a longer one
 * shows as running this much later. The recorded start is the node's own time of the start,
 * which the report carries, whenever it goes.
 */
export const runningReportDelayMs = 100;

export interface JobHostInit {
  node: string;
  workDir: string;
  propose(cmd: Command): Promise<CommandResult>;
  log: { info(o: object, m: string): void; warn(o: object, m: string): void };
  /**
   * Opens the attempt's log in external mode (the executor writes the file through
   * `writer.fd`): the local file is the record; its chunks are gossiped as they come.
   */
  openLog(job: string, attempt: number): Promise<AttemptLog>;
  /** How long an attempt's running report waits (runningReportDelayMs unless told). */
  runningReportDelayMs?: number;
}

interface Running {
  abort: AbortController;
  done: Promise<void>;
  /** Its process has ended and its report is on the way (the state may already show it ended). */
  ending: boolean;
}

/**
 * Runs the attempts the cluster places on this node through the same executor as `cairn run`,
 * and reports their start and end through the log. Stops them when told (cancel, lost lease).
 */
export class JobHost {
  private readonly running = new Map<string, Running>();
  private draining = false;
  private readonly reporter: AttemptReporter;
  /** Attempts reported lost by reconcile() whose report is still on its way. */
  private readonly reportingLost = new Set<string>();
  /**
   * Job directories are recycled (see JobDirPool: on these disks a new inode can cost
   * milliseconds); while an attempt runs, its directory is renamed to `work/<job>-<attempt>`
   * (SPEC.md's layout, and what a person looking for it expects), and back after.
   */
  private readonly dirs: JobDirPool;
  private readonly poolRoot: string;
  constructor(private readonly init: JobHostInit) {
    this.reporter = new AttemptReporter(init.node, init.propose);
    // What an earlier process left in the work dir belongs to attempts the cluster has lost
    // (a node that restarts loses its attempts): removed in the background.
    mkdirSync(init.workDir, { recursive: true });
    for (const old of readdirSync(init.workDir)) void rm(join(init.workDir, old), { recursive: true, force: true }).catch(() => undefined);
    this.poolRoot = join(init.workDir, `.pool-${process.pid}-${Date.now()}`);
    mkdirSync(this.poolRoot);
    this.dirs = new JobDirPool(this.poolRoot);
  }

  get count(): number {
    return this.running.size;
  }

  start(e: StartAttemptEffect): void {
    if (e.node !== this.init.node || this.draining) return;
    const key = `${e.job}#${e.attempt}`;
    if (this.running.has(key)) return;
    const abort = new AbortController();
    const entry: Running = { abort, done: Promise.resolve(), ending: false };
    entry.done = this.run(e, abort.signal, () => (entry.ending = true))
      .catch((err: unknown) => this.init.log.warn({ err, job: e.job }, 'attempt failed to run'))
      .finally(() => this.running.delete(key));
    this.running.set(key, entry);
  }

  stop(e: StopAttemptEffect): void {
    if (e.node !== this.init.node) return;
    this.running.get(`${e.job}#${e.attempt}`)?.abort.abort(new Error(e.reason));
  }

  /**
   * Makes this node agree with the cluster state (the daemon runs it with each heartbeat). An
   * attempt the state has active here that this node does not run (its start was missed: a
   * snapshot from the leader installed over it, a start while draining, a report that never got
   * through) is reported lost, so the cluster runs it again; one this node runs that the state
   * no longer has active here (ended, or superseded) is stopped.
   */
  reconcile(state: ClusterState): void {
    const active = new Set<string>();
    for (const job of Object.values(state.jobs)) {
      const a = job.attempts[job.attempts.length - 1];
      if (a === undefined || a.node !== this.init.node || (a.state !== 'placed' && a.state !== 'running')) continue;
      const key = `${job.id}#${a.n}`;
      active.add(key);
      if (this.running.has(key) || this.reportingLost.has(key)) continue;
      this.reportingLost.add(key);
      this.init.log.warn({ job: job.id, attempt: a.n }, 'the cluster has an attempt active here that this node does not run: reporting it lost');
      void this.reporter.report({ job: job.id, attempt: a.n, status: 'lost', error: `not running on ${this.init.node} (its start was missed)` })
        .finally(() => this.reportingLost.delete(key));
    }
    for (const [key, r] of this.running) {
      if (!active.has(key) && !r.ending) r.abort.abort(new Error('the cluster no longer has this attempt active here'));
    }
  }

  /** Stops every attempt (the lease ran out without a quorum, or a forced shutdown). */
  stopAll(reason: string): void {
    for (const r of this.running.values()) r.abort.abort(new Error(reason));
  }

  /**
   * Takes directories from the pool and renames them to the attempt's own `base`; `exist`
   * says whether that worked (else runJob makes them).
   */
  private checkOut(base: string): { pooled: JobDirs; dirs: JobDirs; exist: boolean } {
    const pooled = this.dirs.take();
    const dirs = { root: base, workspace: join(base, basename(pooled.workspace)), tempDir: join(base, basename(pooled.tempDir)) };
    try {
      renameSync(pooled.root, base);
      return { pooled, dirs, exist: true };
    } catch (err) {
      this.init.log.warn({ err, dir: pooled.root }, 'could not move a job directory into place: the job makes its own');
      return { pooled, dirs, exist: false };
    }
  }

  /** Moves an ended attempt's directory back into the pool, to be emptied and used again. */
  private giveBack(pooled: JobDirs, base: string): void {
    try {
      renameSync(base, pooled.root);
    } catch {
      // The job never made it, or something holds it: start that slot afresh.
      void rm(base, { recursive: true, force: true }).catch(() => undefined);
      return;
    }
    void this.dirs.give(pooled);
  }

  /** Takes no new attempts and waits for the running ones, at most `graceMs`, then stops them. */
  async drain(graceMs: number): Promise<void> {
    this.draining = true;
    const all = Promise.all([...this.running.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), graceMs)));
    if ((await Promise.race([all, timeout])) === 'timeout') {
      this.stopAll('node shutting down');
      await all;
    }
    clearTimeout(timer);
  }

  /** After drain() or stopAll(): waits for the attempts to end, then removes the job directories. */
  async close(): Promise<void> {
    await Promise.all([...this.running.values()].map((r) => r.done));
    await this.dirs.close();
    await rm(this.poolRoot, { recursive: true, force: true });
  }

  private async run(e: StartAttemptEffect, signal: AbortSignal, ended: () => void): Promise<void> {
    trace('attempt-start', { job: e.job });
    // "Running" is reported once there is work under way (the clone, or else the first step's
    // process) and has gone on for runningReportDelayMs; an attempt that ends sooner sends it
    // with its end report, in one entry. The report carries when the work started.
    let startedAtMs: number | null = null;
    let runningReported = false;
    let runningTimer: NodeJS.Timeout | undefined;
    const reportRunning = (): void => {
      if (runningReported) return;
      runningReported = true;
      clearTimeout(runningTimer);
      void this.reporter.report({ job: e.job, attempt: e.attempt, status: 'running', startedAtMs: startedAtMs ?? Date.now() });
    };
    const workStarted = (): void => {
      if (startedAtMs !== null) return;
      startedAtMs = Date.now();
      runningTimer = setTimeout(reportRunning, this.init.runningReportDelayMs ?? runningReportDelayMs);
    };
    if (e.source) workStarted();
    const base = join(this.init.workDir, `${e.job}-${e.attempt}`);
    const { pooled, dirs, exist } = this.checkOut(base);
    const sourceDir = join(base, 'src');
    let result: JobResult | null = null;
    let error: string | null = null;
    let log: AttemptLog | null = null;
    let logDigest: string | null = null;
    try {
      // The log service makes the log's files before this returns (a job's first output
      // waits for them); the executor writes the file through the service's descriptor, and
      // the service indexes, digests and gossips what it writes. No log, no run: it is the record.
      log = await this.init.openLog(e.job, e.attempt).catch((err: unknown) => {
        throw new Error(`the job's log could not be opened: ${err instanceof Error ? err.message : String(err)}`);
      });
      trace('attempt-log-opened', { job: e.job });
      const attemptLog = log;
      if (e.source) {
        await mkdir(sourceDir, { recursive: true });
        await cloneSource(e.source.repo, e.source.ref, sourceDir, signal);
      }
      const needs: Record<string, NeedResult> = {};
      for (const [id, n] of Object.entries(e.needs)) needs[id] = { result: n.result as Conclusion, outputs: n.outputs };
      result = await runJob({
        pipeline: e.pipeline,
        instance: e.instance,
        workspace: dirs.workspace,
        tempDir: dirs.tempDir,
        dirsExist: exist,
        logFile: attemptLog.file,
        logFd: attemptLog.writer.fd,
        sourceDir,
        needs,
        inputs: e.inputs,
        github: { run_id: e.run, run_attempt: String(e.attempt), job: e.instance.jobId, event_name: 'workflow_dispatch' },
        signal,
        killGraceMs: attemptKillGraceMs,
        events: {
          onStepStart: () => {
            trace('attempt-step-start', { job: e.job });
            workStarted();
          },
          onOutput: (bytes) => attemptLog.onOutput(bytes),
        },
      });
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    ended();
    trace('attempt-ran', { job: e.job });
    // After runJob, whose log has stopped writing: the service syncs and closes the file.
    if (log !== null) logDigest = await log.end().then((end) => end.sha256, () => null);
    trace('attempt-log-ended', { job: e.job });
    const status: AttemptStatus = result === null ? 'failed' : toStatus(result.conclusion);
    const exitCode = result === null ? null : ([...result.steps].reverse().find((s) => s.exitCode !== null)?.exitCode ?? (status === 'succeeded' ? 0 : null));
    // Its start goes first, in the same batch when it has not gone yet (the reporter sends the
    // reports of one synchronous run together).
    reportRunning();
    const res = await this.reporter.report({
      job: e.job, attempt: e.attempt, status, exitCode, outputs: result?.outputs ?? {}, logDigest, error: error ?? result?.error ?? null,
    });
    trace('attempt-reported', { job: e.job });
    // A refusal is normal after a lost lease (the cluster fenced this attempt off and ran it
    // again elsewhere), but it must not pass unseen.
    if (!res.ok) {
      this.init.log.warn({ job: e.job, attempt: e.attempt, status, code: res.code, reason: res.data.reason ?? null, refusal: res.message }, 'attempt report refused');
    }
    this.giveBack(pooled, base);
    this.init.log.info({ job: e.job, attempt: e.attempt, status }, 'attempt ended');
  }
}

function toStatus(c: Conclusion): AttemptStatus {
  return c === 'success' ? 'succeeded' : c === 'failure' ? 'failed' : c === 'cancelled' ? 'cancelled' : 'skipped';
}

async function cloneSource(repo: string, ref: string | null, dir: string, signal: AbortSignal): Promise<void> {
  await git(['clone', '--quiet', repo, dir], signal);
  if (ref) await git(['-C', dir, 'checkout', '--quiet', ref], signal);
}

function git(args: string[], signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { signal }, (err, _out, stderr) => (err ? reject(new Error(`git ${args[0]} failed: ${String(stderr).trim() || err.message}`)) : resolve()));
  });
}
