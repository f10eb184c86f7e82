import type { StepSpec } from '../pipeline/index.js';
import { evaluateCondition, interpolate, isTruthy, evaluateExpression, stepDisplayName } from '../pipeline/index.js';
import { checkoutStep, isCheckout } from './checkout.js';
import { runCompositeStep } from './composite-action.js';
import { interpolateMap, type JobState, type StepFrame } from './job-state.js';
import { runScriptStep, type ProcessStepOutcome } from './run-step.js';
import type { Conclusion, StepResult } from './types.js';

/**
 * Runs a list of steps in order with GitHub's rules: each step's `if:` (default
 * `success()`) sees the job's status so far; a failed step fails the job unless
 * `continue-on-error`; after a cancel only steps whose `if:` holds when cancelled run
 * (`always()`, `cancelled()`), and only a force-stop ends those.
 */
export async function runStepList(state: JobState, steps: readonly StepSpec[], frame: StepFrame): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const step of steps) {
    const r = await runOneStep(state, step, frame, steps.length);
    results.push(r);
    if (step.id !== undefined) frame.steps[step.id] = { outcome: r.outcome, conclusion: r.conclusion, outputs: r.outputs };
    if (r.conclusion === 'failure') {
      frame.failed = true;
      if (frame.depth === 0) state.failed = true;
    }
  }
  return results;
}

async function runOneStep(state: JobState, step: StepSpec, frame: StepFrame, total: number): Promise<StepResult> {
  const { spec } = state;
  const baseEnv = state.envContext(frame);
  // Names are interpolated, so they may hold a secret: masked once here, for every output.
  const name = state.secrets.maskString(frame.namePrefix + displayName(state, step, frame, baseEnv));
  const event = { jobKey: spec.instance.key, index: step.index, total, name, ...(step.id === undefined ? {} : { id: step.id }) };
  const started = performance.now();
  const result: StepResult = { index: step.index, name, outcome: 'skipped', conclusion: 'skipped', exitCode: null, durationMs: 0, outputs: {} };
  if (step.id !== undefined) result.id = step.id;

  let run: boolean;
  let userEnv = baseEnv;
  try {
    userEnv = { ...baseEnv, ...interpolateMap(step.env, state.context(frame, baseEnv), state.hooks) };
    run = spec.forceSignal?.aborted !== true && evaluateCondition(step.if, state.context(frame, userEnv), state.status(frame), state.hooks);
  } catch (err) {
    return finish(state, event, result, 'failure', false, started, messageOf(err));
  }
  if (!run) {
    state.log.note(`○ ${name} (skipped)`, state.secrets);
    spec.events?.onStepEnd?.({ ...event, result });
    return result;
  }

  state.log.note(`▶ ${name}`, state.secrets);
  spec.events?.onStepStart?.(event);
  // Before a cancel the step stops on cancel; after it (an always() step) only on force-stop.
  const signal = state.cancel.aborted ? (spec.forceSignal ?? new AbortController().signal) : anySignal(state.cancel, spec.forceSignal);
  let outcome: ProcessStepOutcome;
  try {
    outcome = await dispatch(state, step, frame, userEnv, signal);
  } catch (err) {
    return finish(state, event, result, 'failure', continueOnError(state, step, frame, userEnv), started, messageOf(err));
  }
  result.exitCode = outcome.exitCode;
  result.outputs = outcome.outputs;
  const status: Conclusion = outcome.cancelled ? 'cancelled' : outcome.exitCode === 0 && outcome.error === undefined ? 'success' : 'failure';
  return finish(state, event, result, status, status === 'failure' && continueOnError(state, step, frame, userEnv), started, outcome.error);
}

function dispatch(state: JobState, step: StepSpec, frame: StepFrame, env: Record<string, string>, signal: AbortSignal): Promise<ProcessStepOutcome> {
  if (step.uses === undefined) return runScriptStep(state, frame, step, env, signal);
  if (isCheckout(step.uses)) return checkoutStep(state, frame, step, env, signal);
  if (step.uses.startsWith('./')) return runCompositeStep(state, frame, step, env, signal, runStepList);
  throw new Error(`cairn invariant violated: unsupported uses '${step.uses}' passed validation`);
}

async function finish(
  state: JobState,
  event: { jobKey: string; index: number; total: number; name: string; id?: string },
  result: StepResult,
  outcome: Conclusion,
  allowed: boolean,
  started: number,
  error: string | undefined,
): Promise<StepResult> {
  result.outcome = outcome;
  result.conclusion = outcome === 'failure' && allowed ? 'success' : outcome;
  result.durationMs = performance.now() - started;
  if (error !== undefined) result.error = state.secrets.maskString(error);
  state.log.note(trailer(result, allowed), state.secrets);
  state.spec.events?.onStepEnd?.({ ...event, result });
  return result;
}

function trailer(r: StepResult, allowed: boolean): string {
  const took = `(${(r.durationMs / 1000).toFixed(2)} s)`;
  if (r.outcome === 'success') return `✓ ${r.name} ${took}`;
  if (r.outcome === 'cancelled') return `⊘ ${r.name}: cancelled ${took}`;
  const why = r.error ?? (r.exitCode === null ? 'failed' : `exit code ${r.exitCode}`);
  return `✗ ${r.name}: ${why}${allowed ? ' (continue-on-error)' : ''} ${took}`;
}

function displayName(state: JobState, step: StepSpec, frame: StepFrame, env: Record<string, string>): string {
  const raw = stepDisplayName(step);
  try {
    return interpolate(raw, state.context(frame, env), state.status(frame), state.hooks);
  } catch {
    return raw;
  }
}

function continueOnError(state: JobState, step: StepSpec, frame: StepFrame, env: Record<string, string>): boolean {
  const c = step.continueOnError;
  if (typeof c === 'boolean') return c;
  try {
    return isTruthy(evaluateExpression(c, state.context(frame, env), state.status(frame), state.hooks));
  } catch {
    return false;
  }
}

function anySignal(a: AbortSignal, b: AbortSignal | undefined): AbortSignal {
  return b === undefined ? a : AbortSignal.any([a, b]);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
