import { isMap, type Node } from 'yaml';
import { validateWithGitHub } from './github-schema.js';
import { IssueList } from './issues.js';
import { pipelineBytesMax } from './limits.js';
import { parseStep } from './parse-step.js';
import type { ActionInput, ActionOutput, ActionSpec } from './types.js';
import { child, entries, items, locOf, parseYaml, scalarText } from './yaml-source.js';

/**
 * Parses a local composite action (`action.yml`): its inputs, outputs and steps. Validated
 * against GitHub's action schema; actions that run JavaScript or Docker are refused, since
 * cairn runs only composite actions from the repository.
 */
export function parseAction(text: string, file: string): ActionSpec {
  const issues = new IssueList(file);
  if (text.length > pipelineBytesMax) issues.add({ line: 1, column: 1 }, `the action file is larger than ${pipelineBytesMax} bytes`);
  issues.throwIfAny();
  const src = parseYaml(text, file, issues);
  issues.throwIfAny();
  if (src === undefined) throw new Error('cairn invariant violated: parseYaml returned nothing without an issue');
  const root = src.doc.contents as Node | null;
  if (!isMap(root)) {
    issues.add(locOf(src, root), 'an action must be a mapping with name: and runs:');
    issues.throwIfAny();
  }
  const action: ActionSpec = {
    name: scalarText(src, child(src, root, 'name')),
    file,
    inputs: {},
    outputs: {},
    steps: [],
    loc: locOf(src, root),
  };
  const description = child(src, root, 'description');
  if (description !== null) action.description = scalarText(src, description);
  for (const { key, value } of entries(src, child(src, root, 'inputs'))) {
    const input: ActionInput = { required: scalarText(src, child(src, value, 'required')) === 'true' };
    const d = child(src, value, 'description');
    if (d !== null) input.description = scalarText(src, d);
    const dflt = child(src, value, 'default');
    if (dflt !== null) input.default = scalarText(src, dflt);
    action.inputs[key] = input;
  }
  for (const { key, value } of entries(src, child(src, root, 'outputs'))) {
    const output: ActionOutput = { value: scalarText(src, child(src, value, 'value')) };
    const d = child(src, value, 'description');
    if (d !== null) output.description = scalarText(src, d);
    action.outputs[key] = output;
  }
  const runs = child(src, root, 'runs');
  const using = scalarText(src, child(src, runs, 'using'));
  if (runs !== null && using !== 'composite') {
    issues.add(locOf(src, child(src, runs, 'using') ?? runs), `runs.using '${using}' is not supported: cairn runs composite actions only`, 'UNKNOWN_USES');
  }
  const ids = new Set<string>();
  action.steps = items(src, child(src, runs, 'steps')).map((s, i) => parseStep(src, s, i, issues, ids));
  validateWithGitHub(src, 'action', new Set(), issues);
  issues.throwIfAny();
  return action;
}
