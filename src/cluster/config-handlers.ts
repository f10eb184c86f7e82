/** Handlers of the config commands: registered pipelines, cluster settings, and Tick. */
import type { CommandOf } from './commands.js';
import { validateConfig } from './config.js';
import { nameRe, pipelineTextBytesMax } from './constants.js';
import type { Draft } from './draft.js';
import { accepted, refuse } from './draft.js';
import type { CommandResult } from './effects.js';
import type { ClusterConfig, RegisteredPipeline } from './types.js';

export function pipelineAdded(d: Draft, c: CommandOf<'PipelineAdded'>): CommandResult {
  if (!nameRe.test(c.name)) return refuse('INVALID_INPUT', `pipeline name "${c.name}" may use letters, digits, . _ - (up to 63)`, { name: c.name });
  if (c.text.length > pipelineTextBytesMax) return refuse('PAYLOAD_TOO_LARGE', `pipeline ${c.name} is larger than ${pipelineTextBytesMax} bytes`, { name: c.name });
  const p: RegisteredPipeline = { name: c.name, fileName: c.fileName, text: c.text, repo: c.repo ?? null, ref: c.ref ?? null, addedAtMs: d.now };
  d.putPipeline(p);
  d.emit({ kind: 'config', change: { what: 'pipeline-added', pipeline: p } });
  return accepted;
}

export function pipelineRemoved(d: Draft, c: CommandOf<'PipelineRemoved'>): CommandResult {
  if (d.state.pipelines[c.name] === undefined) return refuse('PIPELINE_NOT_FOUND', `no registered pipeline ${c.name}`, { name: c.name });
  d.deletePipeline(c.name);
  d.emit({ kind: 'config', change: { what: 'pipeline-removed', name: c.name } });
  return accepted;
}

export function configSet(d: Draft, c: CommandOf<'ConfigSet'>): CommandResult {
  const bad = validateConfig(c.key, c.value);
  if (bad !== null) return refuse('INVALID_INPUT', `setting ${c.key}: ${bad}`, { key: c.key });
  d.setConfig({ ...d.state.config, [c.key]: c.value } as ClusterConfig);
  d.emit({ kind: 'config', change: { what: 'config-set', key: c.key, value: c.value } });
  return accepted;
}

export function tick(_d: Draft, _c: CommandOf<'Tick'>): CommandResult {
  return accepted;
}
