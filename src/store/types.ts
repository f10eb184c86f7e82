/**
 * The store's public types: what the daemon feeds it (entries with effects) and what it reads
 * back (history records, pipelines, config).
 */

/** The states an attempt can be in (SPEC.md, `status JOB`). */
export type AttemptState = 'queued' | 'placed' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'lost';

/**
 * One job attempt, as kept in `history/`. Written whenever the attempt changes; the last
 * write wins, so a record first stored as `running` is replaced when it finishes. Times are
 * milliseconds since the epoch, taken from the cluster state (never from this node's clock).
 */
export interface HistoryRecord {
  jobId: string;
  runId: string;
  pipeline: string;
  /** The job's name inside its pipeline. */
  job: string;
  labels: string[];
  /** The node the attempt was placed on; null while it was never placed. */
  node: string | null;
  /** 1 for the first attempt, n+1 for each retry. */
  attempt: number;
  state: AttemptState;
  exitCode: number | null;
  queuedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** sha256 (hex) of the attempt's log file; null while there is none. */
  logDigest: string | null;
  logBytes: number;
  /** The matrix instance key, e.g. `test (linux, 22)`, when the job has one. */
  key?: string;
  /** Why the attempt ended as it did (node lost, cancelled by, timed out), when known. */
  reason?: string | null;
}

/** A registered pipeline (`cairn pipelines add`). */
export interface PipelineRecord {
  name: string;
  /** The definition, verbatim: a workflow YAML file or a shebang script. */
  content: string;
  repo?: string;
  ref?: string;
}

/** One change to the repository, as mapped by the daemon from the cluster's effects. */
export type StoreEffect =
  | { kind: 'put-pipeline'; name: string; content: string; repo?: string; ref?: string }
  | { kind: 'remove-pipeline'; name: string }
  /** Cluster settings, label aliases, the committer-to-chat-nick map: any JSON value. */
  | { kind: 'put-config'; key: string; value: unknown }
  | { kind: 'remove-config'; key: string }
  | { kind: 'history'; record: HistoryRecord };

/** One committed Raft log entry, reduced to what the store needs. */
export interface StoreEntry {
  index: number;
  term: number;
  /** The entry's time from the log (the leader's clock when it proposed it), in ms. */
  timeMs: number;
  effects: StoreEffect[];
}

export interface HistoryQuery {
  limit: number;
  jobId?: string;
}

/** The git-backed store of one node. Calls are serialised: each waits for the one before. */
export interface Store {
  /** The bare git repository this store lives in. */
  readonly dir: string;
  /**
   * Applies committed entries in index order. Entries at or below lastAppliedIndex() are
   * skipped, so a replay after a restart is harmless. One commit per entry that changes the
   * tree; the whole batch is written as one pack and one ref update, and calls made while a
   * batch is being written are grouped into the next one. Resolves once the entries are
   * durable; an entry with an effect validateEffect() refuses fails the whole call, before
   * anything of it is written.
   */
  apply(batch: readonly StoreEntry[]): Promise<void>;
  /** Index of the entry behind HEAD (0 when there is none); read from HEAD's message. */
  lastAppliedIndex(): number;
  head(): Promise<string | null>;
  /** Attempts, newest first: by finishedAt, else startedAt, else queuedAt; then jobId, attempt. */
  history(query: HistoryQuery): Promise<HistoryRecord[]>;
  /** Registered pipelines by name. */
  listPipelines(): Promise<PipelineRecord[]>;
  getPipeline(name: string): Promise<PipelineRecord | null>;
  /** All config keys with their values. */
  getConfig(): Promise<Record<string, unknown>>;
  /** One config value, or undefined when the key is not set. */
  getConfig(key: string): Promise<unknown>;
  /** Everything needed to rebuild this exact repository: HEAD and all its objects. */
  exportSnapshot(): Promise<Uint8Array>;
  /** Replaces the repository with a snapshot's; HEAD and history become the source's. */
  importSnapshot(bytes: Uint8Array): Promise<void>;
  /** Counters for metrics and benchmarks. */
  stats(): StoreStats;
  close(): Promise<void>;
}

export interface StoreStats {
  packs: number;
  objects: number;
  packBytes: number;
  /** Commits this process wrote (not the length of the history). */
  commitsWritten: number;
  /** Batches (packs and ref moves) this process wrote. */
  batchesWritten: number;
}
