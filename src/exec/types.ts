/**
 * The executor's contract: a job spec in, step events and log bytes out, a result back. The
 * local DAG runner (`cairn run`) and a cluster node run jobs through this same interface.
 */
import type { JobInstance, JsonValue, Pipeline } from '../pipeline/index.js';
import type { SecretSet } from './masker.js';

/** How a job or step ended, as GitHub's `needs.<id>.result` and `steps.<id>.outcome` spell it. */
export type Conclusion = 'success' | 'failure' | 'cancelled' | 'skipped';

/** What a job sees of a job it needs (`needs.<id>`). */
export interface NeedResult {
  result: Conclusion;
  outputs: Record<string, string>;
}

export interface StepStartEvent {
  jobKey: string;
  index: number;
  /** Position shown to users: `2` of `total`, 1-based. */
  total: number;
  name: string;
  id?: string;
}

export interface StepEndEvent extends StepStartEvent {
  result: StepResult;
}

/** Callbacks of a running job. `onOutput` may return a promise to slow the job down (backpressure). */
export interface JobEvents {
  onStepStart?(e: StepStartEvent): void;
  onStepEnd?(e: StepEndEvent): void;
  /**
   * The job's log as it grows: exactly the bytes appended to the log file (step headers and
   * trailers included), already masked, in order. The bytes are valid only during the call
   * (the job log reuses its memory once they are handed on): a consumer that keeps them, or
   * uses them after an await, copies them.
   */
  onOutput?(bytes: Uint8Array): void | Promise<void>;
}

/** Everything needed to run one job instance on this machine. */
export interface JobRunSpec {
  pipeline: Pipeline;
  instance: JobInstance;
  /** GITHUB_WORKSPACE; created if missing (unless `dirsExist`). The caller owns it (and removes it). */
  workspace: string;
  /** RUNNER_TEMP: script files and step files; created if missing (unless `dirsExist`). */
  tempDir: string;
  /** `workspace` and `tempDir` exist (a JobDirPool's): the executor does not make them. */
  dirsExist?: boolean;
  /** The job's log file; created (or truncated), unless `logFd` is given. */
  logFile: string;
  /**
   * `logFile` already open for writing, by its owner (the node's log service): the executor
   * writes through it and leaves it open, so the file is opened once for both.
   */
  logFd?: number;
  /**
   * The project the pipeline belongs to: `actions/checkout` copies its working tree, and
   * `uses: ./path` is looked up here when the workspace does not hold it.
   */
  sourceDir: string;
  /** Results of the jobs this one needs, keyed by job id. */
  needs: Record<string, NeedResult>;
  /** Overrides from the command line (`--env`): above workflow and job `env:`, below `$GITHUB_ENV` and step `env:`. */
  env?: Record<string, string>;
  /** `--secret` values: the `secrets` context, masked in every output. */
  secrets?: Record<string, string>;
  /** `workflow_dispatch` inputs (the `inputs` context). */
  inputs?: Record<string, JsonValue>;
  /** Extra `github` context fields (run_id, event_name, sha, ref, ...). */
  github?: Record<string, JsonValue>;
  /** The environment steps inherit (default: this process's). */
  baseEnv?: Record<string, string>;
  /**
   * The masking set; share one across the jobs of a run so an `::add-mask::` in one job
   * masks everywhere. Default: a new set holding `secrets`.
   */
  secretSet?: SecretSet;
  /**
   * Cancels the job: the running step's process group gets SIGTERM (SIGKILL after the
   * grace period); steps whose `if:` holds when cancelled (`always()`, `cancelled()`) still run.
   */
  signal?: AbortSignal;
  /** Ends everything at once, `always()` steps included (a second Ctrl-C). */
  forceSignal?: AbortSignal;
  killGraceMs?: number;
  events?: JobEvents;
}

export interface StepResult {
  index: number;
  id?: string;
  name: string;
  /** Before `continue-on-error`. */
  outcome: Conclusion;
  /** After `continue-on-error`. */
  conclusion: Conclusion;
  /** The process's exit code; null for a signal, a timeout, or a step that ran no process. */
  exitCode: number | null;
  durationMs: number;
  outputs: Record<string, string>;
  /** Why it failed, when it did not simply exit non-zero (timed out, expression error, ...). */
  error?: string;
}

export interface JobResult {
  key: string;
  jobId: string;
  name: string;
  /** Before the job's `continue-on-error`. */
  outcome: Conclusion;
  /** After it: what `needs.<id>.result` and the run's exit code see. */
  conclusion: Conclusion;
  outputs: Record<string, string>;
  steps: StepResult[];
  /** When the job started (ISO 8601). */
  startedAt: string;
  durationMs: number;
  /** The log file, absent for a job that was skipped before it started. */
  logFile?: string;
  /** Everything the steps appended to `$GITHUB_STEP_SUMMARY` (markdown). */
  summary: string;
  error?: string;
}
