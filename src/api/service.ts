/**
 * What the REST API needs from a node. The daemon (node/) implements it over the replicated
 * cluster state, the store and the log files; tests implement it directly. Writes are
 * forwarded to the leader by the implementation, not by the HTTP layer.
 */

/** One chunk of a job's log: its sequence number and the bytes, in order. */
export interface LogChunk {
  seq: number;
  data: Uint8Array;
}

export interface SubmitRequest {
  /** Pipeline text (workflow YAML or a shebang script), or the name of a registered pipeline. */
  pipeline?: string;
  name?: string;
  file?: string;
  repo?: string;
  ref?: string;
  labels?: string[];
  env?: Record<string, string>;
  secrets?: Record<string, string>;
  inputs?: Record<string, string>;
}

export interface PipelineRegistration {
  name: string;
  content: string;
  repo?: string;
  ref?: string;
}

export interface ApiService {
  cluster(): Promise<unknown>;
  nodes(): Promise<unknown[]>;
  submit(req: SubmitRequest): Promise<{ id: string; state: string; jobs?: unknown[] }>;
  jobs(query: { state?: string }): Promise<unknown[]>;
  job(id: string): Promise<unknown>;
  /** Chunks from sequence `from` on; with `follow`, goes on until the job ends or `signal` aborts. */
  logs(id: string, opts: { from: number; follow: boolean; signal: AbortSignal }): AsyncIterable<LogChunk>;
  cancel(id: string): Promise<unknown>;
  history(query: { limit: number }): Promise<unknown[]>;
  pipelines(): Promise<unknown[]>;
  addPipeline(reg: PipelineRegistration): Promise<unknown>;
  removePipeline(name: string): Promise<unknown>;
  /**
   * Sets cluster setting `key` (validated by the cluster state; INVALID_INPUT when refused) and
   * answers `{ key, value }`. Optional: a service without it answers NOT_IMPLEMENTED.
   */
  setConfig?(key: string, value: unknown): Promise<unknown>;
  /** Adds and removes a node's operator labels (built-ins stay); answers the node's view. Optional. */
  /** The cluster's events as they arrive, until `signal` aborts. Optional. */
  events?(signal: AbortSignal): AsyncIterable<unknown>;
  setNodeLabels?(node: string, change: { add: string[]; remove: string[] }): Promise<unknown>;
  health(): Promise<{ ok: boolean; [key: string]: unknown }>;
  /** Prometheus text exposition of this node's metrics. */
  metrics(): Promise<{ contentType: string; body: string }>;
}
