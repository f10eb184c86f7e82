/**
 * Commands: every change to the cluster state is one of these, proposed to Raft and applied on
 * every node from the committed log. Each is plain JSON, discriminated by `kind`.
 */
import type { JsonValue, Plan } from '../pipeline/types.js';
import type { NodeRole, RunSource } from './types.js';

/** A node's daemon started (or restarted) and announces itself. */
export interface NodeJoinedCommand {
  kind: 'NodeJoined';
  node: string;
  /** libp2p peer id. */
  id: string;
  /** New for every daemon start: a rejoin with another bootId means the old process died, so its attempts are lost. */
  bootId: string;
  addrs: string[];
  /** The node's REST API URL, so clients (REPL, bot) can move to any member. */
  api?: string;
  os: string;
  arch: string;
  /** The operator's labels; built-ins are added. */
  labels: string[];
  slots: number;
  /** Role for a new node (default learner); an existing node keeps its role. */
  role?: NodeRole;
}

/** A node is alive; brings a down node back up. */
export interface NodeHeartbeatCommand {
  kind: 'NodeHeartbeat';
  node: string;
}

/** SIGHUP: new labels (and slots). */
export interface NodeLabelsSetCommand {
  kind: 'NodeLabelsSet';
  node: string;
  labels: string[];
  slots?: number;
}

/** SIGTERM drain: a draining node takes no new jobs. */
export interface NodeDrainingCommand {
  kind: 'NodeDraining';
  node: string;
  draining: boolean;
}

/** Membership changed the node's Raft role. */
export interface NodeRoleSetCommand {
  kind: 'NodeRoleSet';
  node: string;
  role: NodeRole;
}

/**
 * The node's lease ran out. With `ifLastHeartbeatMs`, refused when a heartbeat was applied since
 * the leader decided (compare-and-set), so a proposal racing a heartbeat cannot down a live node.
 */
export interface NodeDownCommand {
  kind: 'NodeDown';
  node: string;
  reason: string;
  ifLastHeartbeatMs?: number;
}

/** Forget a down node (autopilot replaced it). */
export interface NodeRemovedCommand {
  kind: 'NodeRemoved';
  node: string;
}

/** A pipeline run: one cluster job per instance of the plan. */
export interface RunSubmittedCommand {
  kind: 'RunSubmitted';
  plan: Plan;
  /** Registered name; default the pipeline's `name:`. */
  pipeline?: string;
  source?: RunSource;
  /** Extra terms every job must satisfy (`submit --labels`). */
  labels?: string[];
  inputs?: Record<string, JsonValue>;
  /** Idempotency key: a repeated submit with the same key returns the first run. */
  requestId?: string;
  submittedBy?: string;
}

/** Attempt `attempt` (= attempts so far + 1) of a queued job goes to a node: applyCommand makes these itself, at the end of the entry that made the job placeable. */
export interface JobPlacedCommand {
  kind: 'JobPlaced';
  job: string;
  attempt: number;
  node: string;
}

/** The node has started the attempt (fenced like AttemptFinished). */
export interface AttemptStartedCommand {
  kind: 'AttemptStarted';
  job: string;
  attempt: number;
  node: string;
  /**
   * When the attempt's work started, on the node's clock (the clock its entries carry anyway):
   * a report may go some time after the start (see node/job-host.ts). Absent, the entry's time.
   */
  startedAtMs?: number | null;
}

/** `lost`: the node found it does not run the attempt the cluster placed there (its start was missed). */
export type AttemptStatus = 'succeeded' | 'failed' | 'cancelled' | 'skipped' | 'lost';

/**
 * The node's report of an attempt's end. Fenced: refused unless it names the job's current
 * attempt, from that attempt's node, and the attempt has not ended yet.
 */
export interface AttemptFinishedCommand {
  kind: 'AttemptFinished';
  job: string;
  attempt: number;
  node: string;
  /** `skipped`: the job's `if:` was false when evaluated on the node. */
  status: AttemptStatus;
  exitCode?: number | null;
  /** The job's `outputs:`, evaluated on the node. */
  outputs?: Record<string, string>;
  logDigest?: string | null;
  /** An error that ended it (executor failure), for the reason. */
  error?: string | null;
}

/** One attempt's report inside AttemptReports: `running` (it started) or how it ended. */
export type AttemptReport =
  | { job: string; attempt: number; status: 'running'; startedAtMs?: number | null }
  | (Omit<AttemptFinishedCommand, 'kind' | 'node'>);

/**
 * A node's reports of its attempts, in the order they happened, in one entry: reports that
 * pile up while one entry is being committed go together in the next, so a busy node costs the
 * log one entry per Raft round rather than two per job. Each is applied (and fenced) as its
 * AttemptStarted / AttemptFinished would be; the result holds one result per report.
 */
export interface AttemptReportsCommand {
  kind: 'AttemptReports';
  node: string;
  reports: AttemptReport[];
}

/** Cancel a job, or every unfinished job of a run when `job` is a run id. */
export interface JobCancelledCommand {
  kind: 'JobCancelled';
  job: string;
  reason?: string;
}

export interface PipelineAddedCommand {
  kind: 'PipelineAdded';
  name: string;
  fileName: string;
  text: string;
  repo?: string;
  ref?: string;
}

export interface PipelineRemovedCommand {
  kind: 'PipelineRemoved';
  name: string;
}

export interface ConfigSetCommand {
  kind: 'ConfigSet';
  key: string;
  value: JsonValue;
}

/** Advances the cluster clock only (the leader's no-op after an election, for instance). */
export interface TickCommand {
  kind: 'Tick';
}

export type Command =
  | NodeJoinedCommand
  | NodeHeartbeatCommand
  | NodeLabelsSetCommand
  | NodeDrainingCommand
  | NodeRoleSetCommand
  | NodeDownCommand
  | NodeRemovedCommand
  | RunSubmittedCommand
  | JobPlacedCommand
  | AttemptStartedCommand
  | AttemptFinishedCommand
  | AttemptReportsCommand
  | JobCancelledCommand
  | PipelineAddedCommand
  | PipelineRemovedCommand
  | ConfigSetCommand
  | TickCommand;

export type CommandKind = Command['kind'];

/** The command of a given kind. */
export type CommandOf<K extends CommandKind> = Extract<Command, { kind: K }>;
