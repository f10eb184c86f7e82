import { closeSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { StepSpec } from '../pipeline/index.js';
import { evaluateExpression, interpolate } from '../pipeline/index.js';
import { CairnError } from '../util/errors.js';
import { stepFileBytesMax } from './constants.js';
import { StepOutput } from './job-log.js';
import type { JobState, StepFiles, StepFrame } from './job-state.js';
import { startProcess } from './process.js';
import { resolveShell, shellArgv } from './shell.js';
import { parseKeyValueFile, parsePathFile } from './step-files.js';

/** What a step that ran a process reports back to the step loop. */
export interface ProcessStepOutcome {
  exitCode: number | null;
  outputs: Record<string, string>;
  cancelled: boolean;
  error?: string;
}

/** A minute as the unit of `timeout-minutes`. */
const minuteMs = 60_000;

/** The directory in RUNNER_TEMP holding the steps' command files, named as on GitHub's runners. */
export const commandFilesDir = '_runner_file_commands';

/** The file in RUNNER_TEMP holding the `n`th step's script. */
function stepScriptName(n: number, extension: string): string {
  return `step-${n}${extension}`;
}

/** Whether a file in RUNNER_TEMP is a step's script (`stepScriptName`). */
export function isStepScriptName(name: string): boolean {
  return /^step-\d+(\.[a-z0-9]+)?$/.test(name);
}

/** Runs a `run:` step: the script goes to a file in RUNNER_TEMP, then runs with its shell. */
export async function runScriptStep(
  state: JobState,
  frame: StepFrame,
  step: StepSpec,
  userEnv: Record<string, string>,
  signal: AbortSignal,
): Promise<ProcessStepOutcome> {
  const { spec } = state;
  const ctx = state.context(frame, userEnv);
  const shellName = step.shell ?? frame.defaults.shell;
  const shell = resolveShell(shellName === undefined ? undefined : interpolate(shellName, ctx, state.status(frame), state.hooks));
  const wdRaw = step.workingDirectory ?? frame.defaults.workingDirectory;
  const cwd = wdRaw === undefined ? spec.workspace : resolve(spec.workspace, interpolate(wdRaw, ctx, state.status(frame), state.hooks));
  if (!isDirectory(cwd)) {
    throw new CairnError('INVALID_INPUT', `working-directory '${cwd}' does not exist`, { cwd });
  }
  // A shebang script runs byte for byte as written: `${{` in it is shell, not an expression.
  const raw = step.run ?? '';
  const script = spec.pipeline.kind === 'script' ? raw : interpolate(raw, ctx, state.status(frame), state.hooks);
  const n = ++state.stepCounter;
  const scriptFile = join(spec.tempDir, stepScriptName(n, shell.extension));
  // Small synchronous writes: a round trip through libuv's thread pool costs more latency
  // than these few syscalls when many jobs start at once on a busy machine.
  writeFileSync(scriptFile, script, { mode: 0o700 });
  const files = createStepFiles(spec.tempDir, n);
  const env = state.processEnv(frame, userEnv, files, step.id ?? `__run_${n}`);
  const timeoutMs = stepTimeoutMs(step, state, frame, userEnv);

  const out = new StepOutput(state.log, state.secrets);
  state.outputs.push(out);
  const proc = startProcess({
    argv: shellArgv(shell, scriptFile),
    cwd,
    env,
    onOutput: out.push,
    signal,
    ...(spec.forceSignal === undefined ? {} : { forceSignal: spec.forceSignal }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(spec.killGraceMs === undefined ? {} : { killGraceMs: spec.killGraceMs }),
  });
  const r = await proc.done;
  await out.flush();
  state.lingering.push(proc);
  const result: ProcessStepOutcome = { exitCode: r.exitCode, outputs: {}, cancelled: r.cancelled && !r.timedOut };
  try {
    result.outputs = applyStepFiles(state, files);
  } catch (err) {
    result.error = err instanceof Error ? err.message : String(err);
  }
  if (r.startError !== undefined) result.error = `could not start ${shell.label}: ${r.startError}`;
  else if (r.timedOut) result.error = `timed out after ${(timeoutMs ?? 0) / minuteMs} min`;
  else if (r.exitCode === null && !r.cancelled) result.error = `killed by ${r.signal ?? 'a signal'}`;
  return result;
}

function stepTimeoutMs(step: StepSpec, state: JobState, frame: StepFrame, env: Record<string, string>): number | undefined {
  let minutes = step.timeoutMinutes;
  if (minutes === undefined && step.timeoutMinutesExpr !== undefined) {
    minutes = Number(evaluateExpression(step.timeoutMinutesExpr, state.context(frame, env), state.status(frame), state.hooks));
  }
  if (minutes === undefined || !Number.isFinite(minutes) || minutes <= 0) return undefined;
  return minutes * minuteMs;
}

/** Fresh, empty command files for the `n`th step, as GitHub's runner creates them. */
export function createStepFiles(tempDir: string, n: number): StepFiles {
  const dir = join(tempDir, commandFilesDir);
  if (n === 1) mkdirSync(dir, { recursive: true });
  const files: StepFiles = {
    env: join(dir, `set_env_${n}`),
    output: join(dir, `set_output_${n}`),
    path: join(dir, `add_path_${n}`),
    summary: join(dir, `step_summary_${n}`),
  };
  for (const f of Object.values(files)) closeSync(openSync(f, 'w'));
  return files;
}

/** Reads what the step wrote to its command files; returns its outputs. */
export function applyStepFiles(state: JobState, files: StepFiles): Record<string, string> {
  // Four stats, usually of empty files: cheaper done at once than through the thread pool.
  const [env, path, summary, output] = [files.env, files.path, files.summary, files.output].map(readLimited);
  for (const [k, v] of parseKeyValueFile(env!, 'GITHUB_ENV')) {
    // GitHub refuses to let a step redefine these for later steps; so do we, silently keeping ours.
    if (k.startsWith('GITHUB_') || k.startsWith('RUNNER_')) continue;
    state.filesEnv[k] = v;
  }
  for (const p of parsePathFile(path!)) state.pathAdditions.unshift(p);
  if (summary !== '') state.summary += summary!.endsWith('\n') ? summary : `${summary}\n`;
  return Object.fromEntries(parseKeyValueFile(output!, 'GITHUB_OUTPUT'));
}

/** A step file's text; a step may have deleted it, which reads as empty. */
function readLimited(file: string): string {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return '';
  }
  if (size > stepFileBytesMax) {
    throw new CairnError('PAYLOAD_TOO_LARGE', `${file} holds ${size} bytes, more than the ${stepFileBytesMax} allowed`, { file, size });
  }
  return size === 0 ? '' : readFileSync(file, 'utf8');
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
