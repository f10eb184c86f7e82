import { arch, hostname, platform } from 'node:os';
import type { ExpressionContext, ExpressionHooks, JobSpec, JobStatus, JsonValue, RunDefaults } from '../pipeline/index.js';
import { interpolate } from '../pipeline/index.js';
import type { JobLog } from './job-log.js';
import type { SecretSet } from './masker.js';
import type { RunningProcess } from './process.js';
import type { JobRunSpec, StepResult } from './types.js';
import type { StepOutput } from './job-log.js';
import { hashFiles } from './hash-files.js';

/** The `steps.<id>` entry of the steps context. */
export interface StepContextEntry {
  outcome: string;
  conclusion: string;
  outputs: Record<string, string>;
}

/**
 * One level of steps: the job's own, or a composite action's. Each has its own `steps`
 * context and `inputs`; a composite's steps get no `defaults.run`, as on GitHub.
 */
export interface StepFrame {
  steps: Record<string, StepContextEntry>;
  inputs: Record<string, JsonValue>;
  defaults: RunDefaults;
  /** env the frame adds below each step's own (a composite: its calling step's env). */
  env: Record<string, string>;
  /** Shown before step names: `action › `. */
  namePrefix: string;
  /** GITHUB_ACTION_PATH of a composite action. */
  actionPath?: string;
  depth: number;
  /** Whether a step of this frame failed (for success()/failure() inside a composite). */
  failed: boolean;
}

/**
 * The mutable state of one running job: what `$GITHUB_ENV`/`$GITHUB_PATH` added, the step
 * summary, the processes steps left behind, and whether the job is failing or cancelled.
 */
export class JobState {
  readonly spec: JobRunSpec;
  readonly job: JobSpec;
  readonly log: JobLog;
  readonly secrets: SecretSet;
  /** workflow env, then job env, then `--env`, interpolated once when the job starts. */
  readonly jobEnv: Record<string, string>;
  readonly filesEnv: Record<string, string> = {};
  /** `$GITHUB_PATH` entries, the latest first. */
  readonly pathAdditions: string[] = [];
  readonly lingering: RunningProcess[] = [];
  readonly outputs: StepOutput[] = [];
  readonly results: StepResult[] = [];
  readonly cancel: AbortSignal;
  summary = '';
  failed = false;
  /** Steps run so far (numbers script and step files). */
  stepCounter = 0;
  readonly hooks: ExpressionHooks;
  /** The `runner` context, read once per job (the host name is a syscall, and contexts are built many times a step). */
  readonly #runner: RunnerContext;

  constructor(spec: JobRunSpec, job: JobSpec, log: JobLog, secrets: SecretSet, cancel: AbortSignal) {
    this.spec = spec;
    this.#runner = runnerContext(spec);
    this.job = job;
    this.log = log;
    this.secrets = secrets;
    this.cancel = cancel;
    this.hooks = { hashFiles: (patterns) => hashFiles(spec.workspace, patterns) };
    const ctx = this.context(rootFrame(spec), {});
    const workflowEnv = interpolateMap(spec.pipeline.env, ctx);
    ctx.env = workflowEnv;
    const jobEnv = interpolateMap(job.env, ctx);
    this.jobEnv = { ...workflowEnv, ...jobEnv, ...(spec.env ?? {}) };
  }

  /** The job's status for success()/failure()/cancelled(), seen from a frame. */
  status(frame: StepFrame): JobStatus {
    if (this.cancel.aborted) return 'cancelled';
    return this.failed || frame.failed ? 'failure' : 'success';
  }

  /** The `env` context a frame's steps see, before a step's own `env:`. */
  envContext(frame: StepFrame): Record<string, string> {
    return { ...this.jobEnv, ...this.filesEnv, ...frame.env };
  }

  /** The expression context at this point of the job. */
  context(frame: StepFrame, env: Record<string, string>): ExpressionContext {
    const { spec } = this;
    return {
      github: this.github(frame),
      env,
      matrix: spec.instance.matrix,
      needs: Object.fromEntries(spec.instance.needsJobs.map((id) => [id, spec.needs[id] ?? { result: 'skipped', outputs: {} }])),
      steps: frame.steps,
      job: { status: this.status(frame) },
      runner: this.#runner,
      inputs: frame.inputs,
      secrets: spec.secrets ?? {},
      strategy: spec.instance.strategy,
    };
  }

  github(frame: StepFrame): Record<string, JsonValue> {
    const { spec } = this;
    const g: Record<string, JsonValue> = {
      event_name: 'workflow_dispatch',
      run_id: '1',
      run_number: '1',
      run_attempt: '1',
      actor: process.env.USER ?? 'cairn',
      repository: '',
      sha: '',
      ref: '',
      ref_name: '',
      server_url: 'https://github.com',
      ...(spec.github ?? {}),
      workflow: spec.pipeline.name,
      job: spec.instance.jobId,
      workspace: spec.workspace,
    };
    if (frame.actionPath !== undefined) g.action_path = frame.actionPath;
    return g;
  }

  /** The environment of a step's process: inherited, then user layers, then what cairn defines. */
  processEnv(frame: StepFrame, userEnv: Record<string, string>, files: StepFiles, actionId: string): Record<string, string> {
    const { spec } = this;
    const base = spec.baseEnv ?? inheritedEnv();
    const g = this.github(frame);
    const str = (k: string): string => String(g[k] ?? '');
    const env: Record<string, string> = {
      ...base,
      ...userEnv,
      // GitHub does not let a workflow override these; neither do we.
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      CAIRN: 'true',
      GITHUB_WORKSPACE: spec.workspace,
      GITHUB_JOB: spec.instance.jobId,
      GITHUB_WORKFLOW: spec.pipeline.name,
      GITHUB_RUN_ID: str('run_id'),
      GITHUB_RUN_NUMBER: str('run_number'),
      GITHUB_RUN_ATTEMPT: str('run_attempt'),
      GITHUB_EVENT_NAME: str('event_name'),
      GITHUB_REPOSITORY: str('repository'),
      GITHUB_SHA: str('sha'),
      GITHUB_REF: str('ref'),
      GITHUB_REF_NAME: str('ref_name'),
      GITHUB_ACTOR: str('actor'),
      GITHUB_SERVER_URL: str('server_url'),
      GITHUB_ACTION: actionId,
      GITHUB_ENV: files.env,
      GITHUB_OUTPUT: files.output,
      GITHUB_PATH: files.path,
      GITHUB_STEP_SUMMARY: files.summary,
      ...runnerEnv(this.#runner),
    };
    if (frame.actionPath !== undefined) env.GITHUB_ACTION_PATH = frame.actionPath;
    const path = userEnv.PATH ?? base.PATH ?? '/usr/local/bin:/usr/bin:/bin';
    env.PATH = [...this.pathAdditions, path].join(':');
    return env;
  }
}

/** Paths of the per-step command files. */
export interface StepFiles {
  env: string;
  output: string;
  path: string;
  summary: string;
}

/** The frame of a job's own steps. */
export function rootFrame(spec: JobRunSpec): StepFrame {
  const p = spec.pipeline;
  const job = p.jobs.find((j) => j.id === spec.instance.jobId);
  return {
    steps: {},
    inputs: spec.inputs ?? {},
    defaults: { ...p.defaults, ...stripUndefined(job?.defaults ?? {}) },
    env: {},
    namePrefix: '',
    depth: 0,
    failed: false,
  };
}

function stripUndefined(d: RunDefaults): RunDefaults {
  const out: RunDefaults = {};
  if (d.shell !== undefined) out.shell = d.shell;
  if (d.workingDirectory !== undefined) out.workingDirectory = d.workingDirectory;
  return out;
}

/** Interpolates each value of an `env:`-like map, in order, so a later entry sees no earlier one (as on GitHub). */
export function interpolateMap(map: Record<string, string>, ctx: ExpressionContext, hooks?: ExpressionHooks): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map)) out[k] = interpolate(v, ctx, undefined, hooks);
  return out;
}

/** The `runner` context (a type, not an interface, so that it is a string record). */
type RunnerContext = { os: string; arch: string; name: string; temp: string; tool_cache: string };

function runnerContext(spec: JobRunSpec): RunnerContext {
  return { os: runnerOs(), arch: runnerArch(), name: runnerName(), temp: spec.tempDir, tool_cache: spec.tempDir };
}

function runnerEnv(runner: RunnerContext): Record<string, string> {
  return { RUNNER_OS: runner.os, RUNNER_ARCH: runner.arch, RUNNER_NAME: runner.name, RUNNER_TEMP: runner.temp, RUNNER_TOOL_CACHE: runner.tool_cache };
}

function runnerOs(): string {
  const p = platform();
  return p === 'linux' ? 'Linux' : p === 'darwin' ? 'macOS' : p === 'win32' ? 'Windows' : p;
}

function runnerArch(): string {
  const a = arch();
  return a === 'x64' ? 'X64' : a === 'arm64' ? 'ARM64' : a === 'arm' ? 'ARM' : a === 'ia32' ? 'X86' : a;
}

function runnerName(): string {
  return `cairn-${hostname()}`;
}

let inherited: Record<string, string> | undefined;

/** This process's environment, copied once: reading process.env goes through a slow native getter per variable. */
function inheritedEnv(): Record<string, string> {
  if (inherited === undefined) {
    inherited = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) inherited[k] = v;
  }
  return inherited;
}
