/**
 * The REPL's view model: plain objects the ink components render and nothing else. The client
 * layer (this folder) is the only writer; components read it and never do I/O.
 */

/** One node as the header and `nodes` show it. */
export interface NodeInfo {
  name: string;
  id: string;
  addrs: string[];
  labels: string[];
  role: string;
  state: 'up' | 'down';
  slots: number;
  running: number;
  /** The node's REST API URL, when the cluster view gives it; the REPL reattaches through it. */
  api: string | null;
  reason: string | null;
}

/** `GET /v1/cluster`, read tolerantly. */
export interface ClusterInfo {
  /** The cluster's name, when the API gives one. */
  cluster: string | null;
  leader: string | null;
  term: number;
  nodes: NodeInfo[];
}

export type ConnectionState = 'connecting' | 'attached' | 'reattaching' | 'lost';

export type Tone = 'info' | 'good' | 'warn' | 'bad';

/** A short message the header shows for a while, e.g. "reattached to b". */
export interface Notice {
  at: number;
  text: string;
  tone: Tone;
}

export interface HeaderView {
  cluster: string | null;
  /** The API the REPL talks to now, and that node's name when known. */
  attachedUrl: string;
  attachedName: string | null;
  leader: string | null;
  term: number;
  nodes: NodeInfo[];
  connection: ConnectionState;
  notices: Notice[];
}

/** A row of the job table (`GET /v1/jobs`). */
/** What a job row and a job's status both say of it. */
export interface JobSummary {
  id: string;
  name: string;
  state: string;
  node: string | null;
  labels: string[];
  pipeline: string;
  reason: string | null;
}

export interface JobRow extends JobSummary {
  attempt: number;
}

export interface AttemptInfo {
  n: number;
  node: string;
  state: string;
  exitCode: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  reason: string | null;
}

/** `GET /v1/jobs/{id}`, read tolerantly. */
export interface JobStatus extends JobSummary {
  run: string;
  attempts: AttemptInfo[];
  jobs: Array<{ id: string; name: string; state: string; node: string | null }>;
  /** The scheduler's explanation text lines, when nodes are why it waits. */
  waiting: string[];
}

export type StepState = 'running' | 'success' | 'failure' | 'cancelled' | 'skipped';

/** One step of a followed job, read from the step lines the runner writes to the log. */
export interface StepRow {
  name: string;
  state: StepState;
  /** When the REPL saw the step start (its own clock), for the running duration. */
  startedAt: number | null;
  /** The runner's measured duration, once the step ended. */
  durationMs: number | null;
  /** Why it failed, when the runner said. */
  detail: string | null;
}

export type FollowState = 'following' | 'resuming' | 'ended' | 'failed';

/** A job whose log the REPL shows. */
export interface FollowView {
  job: string;
  state: FollowState;
  /** Live (`logs -f`) or a one-off read. */
  live: boolean;
  /** The next log sequence wanted: a resumed stream asks for this one. */
  next: number;
  bytes: number;
  /** Sequence jumps seen (should stay 0: the API promises no gap). */
  gaps: number;
  /** Times the stream was resumed after it broke. */
  resumes: number;
  steps: readonly StepRow[];
  error: string | null;
}

/** One line of the log tail: the job's id for the prefix, and the text with only SGR colours kept. */
export interface LogLine {
  job: string;
  seq: number;
  text: string;
}

export type ReplEventKind =
  | 'leader-changed'
  | 'node-down'
  | 'node-up'
  | 'node-joined'
  | 'node-left'
  | 'job-submitted'
  | 'job-started'
  | 'job-retried'
  | 'job-finished'
  | 'custom'
  | 'reattached';

/** One entry of the event feed. */
export interface ReplEvent {
  at: number;
  kind: ReplEventKind;
  text: string;
  tone: Tone;
}

export interface HelpEntry {
  usage: string;
  text: string;
}

export interface HistoryRow {
  job: string;
  pipeline: string;
  name: string;
  attempt: number;
  node: string;
  state: string;
  exitCode: number | null;
  finishedAt: number | null;
}

/** What a command answered, as data: the components choose how to draw it. */
export type OutputBody =
  | { kind: 'text'; lines: string[]; tone: Tone }
  | { kind: 'error'; code: string; message: string }
  | { kind: 'nodes'; nodes: NodeInfo[]; leader: string | null }
  | { kind: 'jobs'; jobs: JobRow[] }
  | { kind: 'status'; status: JobStatus }
  | { kind: 'history'; rows: HistoryRow[] }
  | { kind: 'help'; entries: HelpEntry[] };

export type OutputBlock = OutputBody & { id: number; at: number; command: string };

/** The prompt line: text, cursor and the candidates of the last ambiguous completion. */
export interface InputState {
  text: string;
  cursor: number;
  candidates: string[];
}

/** Everything the REPL shows. */
export interface ReplState {
  header: HeaderView;
  jobs: JobRow[];
  follows: FollowView[];
  log: LogLine[];
  events: ReplEvent[];
  output: OutputBlock[];
  input: InputState;
  /** The command being run, if any (the prompt shows it is busy). */
  busy: string | null;
  /** The view's clock, advanced while a step runs (spinner and running durations). */
  now: number;
  quit: boolean;
}
