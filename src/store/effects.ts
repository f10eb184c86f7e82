/**
 * What each StoreEffect does to the tree, what it says in a commit message, and the checks it
 * must pass first. Checks depend on the effect alone, so every node accepts or refuses the
 * same entry; the daemon can run validateEffect() before proposing, so a bad request is
 * refused at the API rather than stalling every node's store at the same index.
 */
import { CairnError } from '../util/errors.js';
import { canonicalJson } from './canonical-json.js';
import { configBytesMax, pipelineBytesMax } from './constants.js';
import { objectId } from './git-object.js';
import {
  attemptFile, checkAttempt, checkJobId, checkName, configPath, jobHistoryPath, pipelineDefinitionFile, pipelinePath,
  pipelineSourceFile,
} from './layout.js';
import type { NewObject } from './pack-writer.js';
import type { TreeModel } from './tree-model.js';
import type { AttemptState, HistoryRecord, StoreEffect } from './types.js';

const attemptStates: ReadonlySet<string> = new Set<AttemptState>(['queued', 'placed', 'running', 'succeeded', 'failed', 'cancelled', 'lost']);

/** Throws INVALID_INPUT when the effect cannot be stored; returns it otherwise. */
export function validateEffect(effect: StoreEffect): StoreEffect {
  switch (effect.kind) {
    case 'put-pipeline':
      checkName(effect.name, 'pipeline name');
      if (typeof effect.content !== 'string' || Buffer.byteLength(effect.content) > pipelineBytesMax) {
        throw invalid(`pipeline ${effect.name} must be text of at most ${pipelineBytesMax} bytes`);
      }
      for (const k of ['repo', 'ref'] as const) {
        const v = effect[k];
        if (v !== undefined && (typeof v !== 'string' || v.length === 0 || /[\n\r]/.test(v))) throw invalid(`pipeline ${effect.name}: ${k} must be one line of text`);
      }
      return effect;
    case 'remove-pipeline':
      checkName(effect.name, 'pipeline name');
      return effect;
    case 'put-config':
      checkName(effect.key, 'config key');
      if (Buffer.byteLength(canonicalJson(effect.value, `config ${effect.key}`)) > configBytesMax) {
        throw invalid(`config ${effect.key} is larger than ${configBytesMax} bytes`);
      }
      return effect;
    case 'remove-config':
      checkName(effect.key, 'config key');
      return effect;
    case 'history':
      validateRecord(effect.record);
      return effect;
    default:
      throw invalid(`unknown store effect ${JSON.stringify((effect as { kind?: unknown }).kind)}`);
  }
}

function validateRecord(r: HistoryRecord): void {
  checkJobId(r.jobId);
  checkAttempt(r.attempt);
  const where = `history record ${String(r.jobId)}#${String(r.attempt)}`;
  const isTime = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  const problems: string[] = [];
  for (const k of ['runId', 'pipeline', 'job'] as const) if (typeof r[k] !== 'string') problems.push(`${k} is not text`);
  if (!Array.isArray(r.labels) || !r.labels.every((l) => typeof l === 'string')) problems.push('labels is not a list of text');
  if (r.node !== null && typeof r.node !== 'string') problems.push('node is neither text nor null');
  if (!attemptStates.has(r.state)) problems.push(`state ${JSON.stringify(r.state)} is unknown`);
  if (r.exitCode !== null && !Number.isInteger(r.exitCode)) problems.push('exitCode is neither a whole number nor null');
  if (!isTime(r.queuedAt)) problems.push('queuedAt is not a time in ms');
  for (const k of ['startedAt', 'finishedAt'] as const) if (r[k] !== null && !isTime(r[k])) problems.push(`${k} is neither a time in ms nor null`);
  if (r.logDigest !== null && (typeof r.logDigest !== 'string' || !/^[0-9a-f]{64}$/.test(r.logDigest))) problems.push('logDigest is not sha256 hex');
  if (!isTime(r.logBytes)) problems.push('logBytes is not a byte count');
  if (r.key !== undefined && typeof r.key !== 'string') problems.push('key is not text');
  if (r.reason !== undefined && r.reason !== null && typeof r.reason !== 'string') problems.push('reason is neither text nor null');
  if (problems.length > 0) throw invalid(`${where}: ${problems.join('; ')}`);
}

/** The JSON text stored for a history record: its known fields only, keys sorted (absent optional ones left out). */
export function encodeRecord(r: HistoryRecord): string {
  const { jobId, runId, pipeline, job, labels, node, attempt, state, exitCode, queuedAt, startedAt, finishedAt, logDigest, logBytes, key, reason } = r;
  return canonicalJson({ jobId, runId, pipeline, job, labels, node, attempt, state, exitCode, queuedAt, startedAt, finishedAt, logDigest, logBytes, key, reason }, 'history record');
}

/**
 * Applies one (validated) effect to the tree, queueing the blobs it creates in `out`.
 * Returns a one-line description when the tree changed, null when the effect was a no-op.
 */
export async function applyEffect(tree: TreeModel, effect: StoreEffect, out: NewObject[]): Promise<string | null> {
  const put = async (path: string[], text: string): Promise<boolean> => {
    const content = Buffer.from(text);
    const oid = objectId('blob', content);
    const changed = await tree.setBlob(path, oid);
    if (changed) out.push({ oid, type: 'blob', content, path: `blob:${path.join('/')}` });
    return changed;
  };
  switch (effect.kind) {
    case 'put-pipeline': {
      const dir = pipelinePath(effect.name);
      const source = { name: effect.name, ...(effect.repo === undefined ? {} : { repo: effect.repo }), ...(effect.ref === undefined ? {} : { ref: effect.ref }) };
      const a = await put([...dir, pipelineDefinitionFile], effect.content);
      const b = await put([...dir, pipelineSourceFile], canonicalJson(source, `pipeline ${effect.name}`));
      return a || b ? `pipeline ${effect.name} registered` : null;
    }
    case 'remove-pipeline':
      return (await tree.remove(pipelinePath(effect.name))) ? `pipeline ${effect.name} removed` : null;
    case 'put-config':
      return (await put(configPath(effect.key), canonicalJson(effect.value, `config ${effect.key}`))) ? `config ${effect.key} set` : null;
    case 'remove-config':
      return (await tree.remove(configPath(effect.key))) ? `config ${effect.key} removed` : null;
    case 'history': {
      const r = effect.record;
      const changed = await put([...jobHistoryPath(r.jobId), attemptFile(r.attempt)], encodeRecord(r));
      return changed ? `job ${r.jobId} attempt ${r.attempt} ${r.state}` : null;
    }
  }
}

function invalid(message: string): CairnError {
  return new CairnError('INVALID_INPUT', message, {});
}
