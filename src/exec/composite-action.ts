import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ActionSpec, JsonValue, StepSpec } from '../pipeline/index.js';
import { interpolate, parseAction } from '../pipeline/index.js';
import { CairnError } from '../util/errors.js';
import { actionDepthMax } from './constants.js';
import { interpolateMap, type JobState, type StepFrame } from './job-state.js';
import type { ProcessStepOutcome } from './run-step.js';
import type { StepResult } from './types.js';

type StepListRunner = (state: JobState, steps: readonly StepSpec[], frame: StepFrame) => Promise<StepResult[]>;

/**
 * Finds a local action's `action.yml`: in the workspace first (after a checkout, as on
 * GitHub), else in the project it came from, so a pipeline without a checkout step still
 * finds its own actions.
 */
export function findLocalAction(uses: string, workspace: string, sourceDir: string): string | undefined {
  for (const root of [workspace, sourceDir]) {
    for (const name of ['action.yml', 'action.yaml']) {
      const f = join(resolve(root, uses), name);
      if (existsSync(f)) return f;
    }
  }
  return undefined;
}

/** Reads and parses a local action; a missing file is UNKNOWN_USES. */
export function loadLocalAction(uses: string, workspace: string, sourceDir: string): ActionSpec {
  const file = findLocalAction(uses, workspace, sourceDir);
  if (file === undefined) {
    throw new CairnError('UNKNOWN_USES', `uses: ${uses}: no action.yml or action.yaml in ${resolve(sourceDir, uses)}`, { uses });
  }
  return parseAction(readFileSync(file, 'utf8'), file);
}

/**
 * Runs a local composite action: `with:` (and input defaults) become the `inputs` context,
 * its steps run in order in a frame of their own (their own `steps` context), and its
 * declared outputs are evaluated from those steps into the calling step's outputs.
 */
export async function runCompositeStep(
  state: JobState,
  frame: StepFrame,
  step: StepSpec,
  env: Record<string, string>,
  _signal: AbortSignal,
  runSteps: StepListRunner,
): Promise<ProcessStepOutcome> {
  if (frame.depth >= actionDepthMax) {
    throw new CairnError('PIPELINE_INVALID', `composite actions nest deeper than ${actionDepthMax} levels at ${step.uses ?? ''}`, { uses: step.uses });
  }
  const uses = step.uses ?? '';
  const action = loadLocalAction(uses, state.spec.workspace, state.spec.sourceDir);
  const outerCtx = state.context(frame, env);
  const inputs: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(step.with)) inputs[k] = interpolate(v, outerCtx, state.status(frame), state.hooks);
  for (const [k, def] of Object.entries(action.inputs)) {
    if (k in inputs) continue;
    if (def.default !== undefined) inputs[k] = interpolate(def.default, outerCtx, state.status(frame), state.hooks);
    else if (def.required) throw new CairnError('INVALID_INPUT', `${uses}: input '${k}' is required`, { uses, input: k });
    else inputs[k] = '';
  }
  const inner: StepFrame = {
    steps: {},
    inputs,
    defaults: {},
    env,
    namePrefix: `${frame.namePrefix}${action.name || uses} › `,
    actionPath: resolve(action.file, '..'),
    depth: frame.depth + 1,
    failed: false,
  };
  const results = await runSteps(state, action.steps, inner);
  const failed = results.some((r) => r.conclusion === 'failure');
  const cancelled = results.some((r) => r.conclusion === 'cancelled');
  const outputs = interpolateMap(
    Object.fromEntries(Object.entries(action.outputs).map(([k, o]) => [k, o.value])),
    state.context(inner, env),
    state.hooks,
  );
  const last = [...results].reverse().find((r) => r.exitCode !== null);
  const outcome: ProcessStepOutcome = { exitCode: failed ? (last?.exitCode ?? 1) || 1 : 0, outputs, cancelled };
  if (failed) outcome.error = `composite action ${uses} failed`;
  return outcome;
}
