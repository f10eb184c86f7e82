/**
 * The pipeline model: the contract between the parser (src/pipeline) and the executor
 * (src/exec). Everything here is plain data: JSON-serialisable, so a job instance can travel
 * through the Raft log to the node that runs it.
 *
 * Strings that may hold `${{ }}` expressions are kept raw (`Template`) and interpolated by the
 * executor at the moment they are needed, because their contexts (steps, needs, env written
 * through $GITHUB_ENV) only exist at run time.
 */

/** Where something stands in its source file, 1-based, for errors. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** A raw string that may contain `${{ expression }}` parts. */
export type Template = string;

/** A JSON value as expressions see it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type ShellName = 'bash' | 'sh' | 'python' | 'ruby' | 'node' | 'pwsh';

export interface StepSpec {
  /** 0-based position in the job. */
  index: number;
  id?: string;
  /** Display name: `name:`, else derived from `run`/`uses`. */
  name: Template;
  run?: Template;
  /** A built-in shell name or a custom template containing `{0}`. */
  shell?: string;
  workingDirectory?: Template;
  uses?: string;
  with: Record<string, Template>;
  env: Record<string, Template>;
  /** Raw `if:` expression (without or with `${{ }}`); absent means `success()`. */
  if?: string;
  continueOnError: boolean | Template;
  timeoutMinutes?: number;
  /** Set instead of `timeoutMinutes` when `timeout-minutes:` is an expression (evaluated at run time). */
  timeoutMinutesExpr?: Template;
  loc: SourceLocation;
}

export interface RetryPolicy {
  /** Extra attempts after the first. */
  max: number;
  on: Array<'node-lost' | 'failure'>;
}

export type SandboxKind = 'none' | 'bwrap' | 'container';

/** One job as written in the file, before matrix expansion. */
export interface JobSpec {
  id: string;
  name: Template;
  /** `runs-on` values, used as label terms. */
  runsOn: string[];
  /** cairn's `labels:` terms (tag, !tag, key=value, key!=value). */
  labels: string[];
  needs: string[];
  if?: string;
  matrix?: MatrixSpec;
  env: Record<string, Template>;
  defaults: RunDefaults;
  timeoutMinutes?: number;
  /** Set instead of `timeoutMinutes` when `timeout-minutes:` is an expression; `planPipeline` resolves it per instance. */
  timeoutMinutesExpr?: Template;
  continueOnError: boolean;
  /** Set when `continue-on-error:` is an expression; `planPipeline` resolves it per instance. */
  continueOnErrorExpr?: Template;
  outputs: Record<string, Template>;
  steps: StepSpec[];
  retry: RetryPolicy;
  artifacts: string[];
  sandbox: SandboxKind;
  image?: string;
  loc: SourceLocation;
}

export interface MatrixSpec {
  /** Axis name to its values (already evaluated; matrices with expressions are resolved at plan time). */
  axes: Record<string, JsonValue[]>;
  include: Array<Record<string, JsonValue>>;
  exclude: Array<Record<string, JsonValue>>;
  failFast: boolean;
  maxParallel?: number;
  /** Where `matrix:` is written, for errors found at plan time. */
  loc?: SourceLocation;
}

export interface RunDefaults {
  shell?: string;
  workingDirectory?: string;
}

export interface WorkflowInput {
  description?: string;
  required: boolean;
  default?: JsonValue;
  type: 'string' | 'boolean' | 'number' | 'choice' | 'environment';
  options?: string[];
}

export interface Triggers {
  push?: { branches?: string[]; paths?: string[] };
  workflowDispatch?: { inputs: Record<string, WorkflowInput> };
  schedule: string[];
}

/** A whole parsed pipeline. */
export interface Pipeline {
  name: string;
  /** The file it came from (absolute path), or `<inline>`. */
  file: string;
  /** `script` for a shebang script turned into a one-job pipeline, else `workflow`. */
  kind: 'workflow' | 'script';
  on: Triggers;
  env: Record<string, Template>;
  defaults: RunDefaults;
  jobs: JobSpec[];
}

/** One runnable unit after matrix expansion: a job with one matrix combination. */
export interface JobInstance {
  /** Unique in the plan: the job id, plus the matrix values for expanded jobs, e.g. `test (linux, 22)`. */
  key: string;
  jobId: string;
  matrix: Record<string, JsonValue>;
  /** Keys of the instances this one needs (all instances of each needed job). */
  needs: string[];
  /** Job ids this one needs (for the `needs` context, which is keyed by job id). */
  needsJobs: string[];
  /** Display name: the job's `name:` interpolated with this matrix, else the key. */
  name: string;
  /** `runs-on` with matrix/inputs/github expressions resolved: label terms for placement. */
  runsOn: string[];
  /** Resolved `timeout-minutes` (absent: no limit beyond the executor's default). */
  timeoutMinutes?: number;
  /** Resolved `continue-on-error`. */
  continueOnError: boolean;
  /** The `strategy` context: `fail-fast`, `job-index`, `job-total`, `max-parallel`. */
  strategy: Record<string, JsonValue>;
}

/** The DAG of job instances, topologically ordered. */
export interface Plan {
  pipeline: Pipeline;
  instances: JobInstance[];
}

/** The contexts an expression can read. Plain data. */
export interface ExpressionContext {
  github: Record<string, JsonValue>;
  env: Record<string, string>;
  matrix: Record<string, JsonValue>;
  needs: Record<string, { result: string; outputs: Record<string, string> }>;
  steps: Record<string, { outcome: string; conclusion: string; outputs: Record<string, string> }>;
  job: { status: string };
  runner: Record<string, string>;
  inputs: Record<string, JsonValue>;
  secrets: Record<string, string>;
  strategy: Record<string, JsonValue>;
}

/** What `success()`, `failure()`, `cancelled()` see: the status of the job so far. */
export type JobStatus = 'success' | 'failure' | 'cancelled';

/** One problem found in a pipeline or action file; `CairnError.data.errors` holds a list of these. */
export interface PipelineIssue {
  file: string;
  line: number;
  column: number;
  message: string;
  /** A more specific error code when there is one (e.g. `UNKNOWN_USES`). */
  code?: string;
}

export interface ActionInput {
  description?: string;
  required: boolean;
  /** Default value; may hold expressions (e.g. `${{ github.token }}`). */
  default?: Template;
}

export interface ActionOutput {
  description?: string;
  /** Usually `${{ steps.<id>.outputs.<name> }}`, evaluated after the action's steps ran. */
  value: Template;
}

/** A local composite action (`action.yml` with `runs.using: composite`). */
export interface ActionSpec {
  name: string;
  description?: string;
  /** The action.yml it came from. */
  file: string;
  inputs: Record<string, ActionInput>;
  outputs: Record<string, ActionOutput>;
  /** `runs.steps`: each needs `shell:` on `run` steps, as GitHub requires. */
  steps: StepSpec[];
  loc: SourceLocation;
}

/** Functions an expression may call that need I/O; the executor injects them. */
export interface ExpressionHooks {
  /** `hashFiles(patterns...)`: a hex digest of the matching files, or '' when none match. */
  hashFiles?: (patterns: string[]) => string;
}
