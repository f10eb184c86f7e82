/**
 * The replicated cluster state: what every node holds after applying the same committed Raft
 * log. Plain JSON data (no Maps, no undefined: absent values are `null`), so a snapshot encodes
 * deterministically and decodes to a deep-equal value.
 */
import type { JsonValue, Plan, RetryPolicy } from '../pipeline/types.js';

/** SPEC.md's job states, exactly. */
export type JobState = 'queued' | 'placed' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'lost';
export const jobStates: readonly JobState[] = ['queued', 'placed', 'running', 'succeeded', 'failed', 'cancelled', 'lost'];
export const terminalJobStates: ReadonlySet<JobState> = new Set(['succeeded', 'failed', 'cancelled', 'lost']);

/** An attempt is placed, then running, then ends one way. */
export type AttemptState = 'placed' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'lost';

/** What `needs.<id>.result` says, as GitHub Actions spells it. */
export type JobResult = 'success' | 'failure' | 'cancelled' | 'skipped';

export type NodeRole = 'voter' | 'learner';

export interface NodeRecord {
  /** Unique in the cluster (`--name`). */
  name: string;
  /** libp2p peer id. */
  id: string;
  addrs: string[];
  /** REST API URL, when the node announced one. */
  api: string | null;
  os: string;
  arch: string;
  /** The operator's labels as given (`--labels`, SIGHUP). */
  userLabels: string[];
  /** Effective labels: built-ins plus the operator's (scheduler.effectiveLabels). */
  labels: string[];
  slots: number;
  /** Attempts placed on this node or running there (kept equal to the jobs' attempts). */
  running: number;
  state: 'up' | 'down';
  draining: boolean;
  role: NodeRole;
  joinedAtMs: number;
  lastHeartbeatMs: number;
  /** Why it went down, while down. */
  downReason: string | null;
  /** Identifies the daemon process (NodeJoined): a new one means the old one's attempts are gone. */
  bootId: string;
}

export interface AttemptRecord {
  /** 1-based. */
  n: number;
  node: string;
  state: AttemptState;
  exitCode: number | null;
  placedAtMs: number;
  startedAtMs: number | null;
  finishedAtMs: number | null;
  /** Digest of the attempt's log file on its node, as reported when it finished. */
  logDigest: string | null;
  reason: string | null;
}

export interface JobRecord {
  /** `<run>.<n>`, n the 1-based position of the instance in the plan. */
  id: string;
  run: string;
  /** The instance key in the plan, e.g. `test (linux, 22)`. */
  key: string;
  /** The job id in the pipeline file (the `needs` context is keyed by it). */
  jobId: string;
  name: string;
  /** Global submission order, for "oldest first". */
  seq: number;
  /** Label terms every attempt's node must satisfy, canonical text. */
  labels: string[];
  /** Cluster job ids of the instances this one needs. */
  needs: string[];
  state: JobState;
  /** Set once terminal: what dependents see as `needs.<id>.result`. */
  result: JobResult | null;
  /** The node of the latest attempt. */
  node: string | null;
  /** Why it ended as it did, or why it was re-queued. */
  reason: string | null;
  attempts: AttemptRecord[];
  /** From the latest finished attempt (`outputs:` of the job). */
  outputs: Record<string, string>;
  retry: RetryPolicy;
  /** The job's raw `if:`, or null. */
  if: string | null;
  continueOnError: boolean;
  submittedAtMs: number;
  finishedAtMs: number | null;
}

export type RunState = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface RunSource {
  repo: string;
  ref: string | null;
  /** E-mail of the author of the commit `ref` named when submitted, when it could be read (chat notifications). */
  authorEmail?: string;
}

export interface RunRecord {
  id: string;
  /** Registered name or the pipeline's `name:`. */
  pipeline: string;
  plan: Plan;
  /** Cluster job ids, in plan (topological) order. */
  jobs: string[];
  state: RunState;
  source: RunSource | null;
  /** Extra terms from `submit --labels`, already folded into each job's labels. */
  labels: string[];
  inputs: Record<string, JsonValue>;
  /** Client idempotency key: a repeated submit returns the first run. */
  requestId: string | null;
  submittedBy: string | null;
  submittedAtMs: number;
  finishedAtMs: number | null;
}

export interface RegisteredPipeline {
  name: string;
  /** File name it was added from, e.g. `ci.yml`. */
  fileName: string;
  /** The file's text: the store writes it, `submit NAME` parses it. */
  text: string;
  repo: string | null;
  ref: string | null;
  addedAtMs: number;
}

/** Cluster settings (`ConfigSet`); each key validated in config.ts. */
export interface ClusterConfig {
  /** A node silent for longer than this is marked down. */
  leaseMs: number;
  /** Voters kept by membership (autopilot); the rest are learners. */
  maxVoters: number;
  /** A tag term naming an alias stands for these terms. */
  labelAliases: Record<string, string[]>;
  /** Commit author e-mail to chat nick. */
  chatUsers: Record<string, string>;
}

export interface ClusterState {
  version: 1;
  /** Highest log index applied; a repeated index is ignored. */
  appliedIndex: number;
  /** Cluster time: the largest log-entry time seen, so it never goes back across leaders. */
  clockMs: number;
  nextRunSeq: number;
  nextJobSeq: number;
  /** Jobs not yet ended (counted, so no command has to scan every job to know). */
  openJobCount: number;
  /** Jobs held in `jobs`, ended or not (pruning keeps the ended ones bounded). */
  jobCount: number;
  nodes: Record<string, NodeRecord>;
  jobs: Record<string, JobRecord>;
  runs: Record<string, RunRecord>;
  pipelines: Record<string, RegisteredPipeline>;
  config: ClusterConfig;
}

/** Where a command sits in the log; `timeMs` is the proposer's clock, stamped in the entry. */
export interface ApplyMeta {
  index: number;
  term: number;
  timeMs: number;
}
