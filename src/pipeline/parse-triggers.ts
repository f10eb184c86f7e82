import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { Triggers, WorkflowInput } from './types.js';
import { child, entries, items, scalarText, toJson, type YamlSource } from './yaml-source.js';

const inputTypes: ReadonlyArray<WorkflowInput['type']> = ['string', 'boolean', 'number', 'choice', 'environment'];

/**
 * Reads `on:` (a name, a list of names, or a mapping). cairn acts on `push`,
 * `workflow_dispatch` inputs and `schedule`; other events are valid GitHub and simply never
 * fire here.
 */
export function parseTriggers(src: YamlSource, node: Node | null): Triggers {
  const triggers: Triggers = { schedule: [] };
  const names = isScalar(node) ? [scalarText(src, node)] : isSeq(node) ? items(src, node).map((n) => scalarText(src, n)) : [];
  for (const name of names) {
    if (name === 'push') triggers.push = {};
    if (name === 'workflow_dispatch') triggers.workflowDispatch = { inputs: {} };
  }
  if (!isMap(node)) return triggers;
  for (const { key, value } of entries(src, node)) {
    if (key === 'push') {
      const push: NonNullable<Triggers['push']> = {};
      const branches = child(src, value, 'branches');
      const paths = child(src, value, 'paths');
      if (branches !== null) push.branches = items(src, branches).map((n) => scalarText(src, n));
      if (paths !== null) push.paths = items(src, paths).map((n) => scalarText(src, n));
      triggers.push = push;
    } else if (key === 'workflow_dispatch') {
      triggers.workflowDispatch = { inputs: parseInputs(src, child(src, value, 'inputs')) };
    } else if (key === 'schedule') {
      for (const item of items(src, value)) {
        const cron = scalarText(src, child(src, item, 'cron'));
        if (cron !== '') triggers.schedule.push(cron);
      }
    }
  }
  return triggers;
}

function parseInputs(src: YamlSource, node: Node | null): Record<string, WorkflowInput> {
  const out: Record<string, WorkflowInput> = {};
  for (const { key, value } of entries(src, node)) {
    const type = scalarText(src, child(src, value, 'type')) || 'string';
    const input: WorkflowInput = {
      required: scalarText(src, child(src, value, 'required')) === 'true',
      type: (inputTypes as readonly string[]).includes(type) ? (type as WorkflowInput['type']) : 'string',
    };
    const description = child(src, value, 'description');
    if (description !== null) input.description = scalarText(src, description);
    const dflt = child(src, value, 'default');
    if (dflt !== null) input.default = toJson(src, dflt);
    const options = child(src, value, 'options');
    if (options !== null) input.options = items(src, options).map((n) => scalarText(src, n));
    out[key] = input;
  }
  return out;
}
