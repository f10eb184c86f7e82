/**
 * Effects: what applying a command asks the world to do, as data. Every node gets the same
 * effects from the same entry; each adapter acts on its own share (the executor only on
 * `start-attempt`/`stop-attempt` naming its node, the store on `history`/`config` everywhere).
 */
import type { ErrorCode } from '../util/errors.js';
import type { JobInstance, JobSpec, JsonValue, Pipeline } from '../pipeline/types.js';
import type { AttemptState, JobResult, JobState, RegisteredPipeline, RunSource, RunState } from './types.js';

/** The `needs` context of an attempt, keyed by pipeline job id. */
export type NeedsContext = Record<string, { result: JobResult; outputs: Record<string, string> }>;

/** Run this attempt (only the named node acts). Carries everything the executor needs. */
export interface StartAttemptEffect {
  kind: 'start-attempt';
  node: string;
  job: string;
  attempt: number;
  run: string;
  pipelineName: string;
  pipeline: Pipeline;
  spec: JobSpec;
  instance: JobInstance;
  needs: NeedsContext;
  source: RunSource | null;
  inputs: Record<string, JsonValue>;
  labels: string[];
}

/** Stop this attempt if it still runs (cancelled, or its node was declared lost). */
export interface StopAttemptEffect {
  kind: 'stop-attempt';
  node: string;
  job: string;
  attempt: number;
  reason: string;
}

/** One record per ended attempt, for the git history. Times come from log entries. */
export interface HistoryRecord {
  run: string;
  pipeline: string;
  job: string;
  name: string;
  key: string;
  labels: string[];
  attempt: number;
  node: string;
  state: AttemptState;
  exitCode: number | null;
  placedAtMs: number;
  startedAtMs: number | null;
  finishedAtMs: number;
  logDigest: string | null;
  reason: string | null;
  source: RunSource | null;
  /** The log index that ended it: orders the records and names the commit's point. */
  index: number;
}

export interface HistoryEffect {
  kind: 'history';
  record: HistoryRecord;
}

export type ClusterEvent =
  | { type: 'job'; job: string; run: string; name: string; state: JobState; attempt: number | null; node: string | null; reason: string | null }
  | { type: 'run'; run: string; pipeline: string; state: RunState }
  | { type: 'node'; node: string; state: 'up' | 'down' | 'removed'; draining: boolean; reason: string | null };

export interface EventEffect {
  kind: 'event';
  event: ClusterEvent;
}

export type ConfigChange =
  | { what: 'pipeline-added'; pipeline: RegisteredPipeline }
  | { what: 'pipeline-removed'; name: string }
  | { what: 'config-set'; key: string; value: JsonValue };

/** The store writes config changes to its repository. */
export interface ConfigEffect {
  kind: 'config';
  change: ConfigChange;
}

export type Effect = StartAttemptEffect | StopAttemptEffect | HistoryEffect | EventEffect | ConfigEffect;

/** What the proposer hears back once its command is applied. */
export type CommandResult =
  | { ok: true; run?: { id: string; jobs: string[]; duplicate: boolean }; reports?: CommandResult[] }
  | { ok: false; code: ErrorCode; message: string; data: Record<string, JsonValue> };
