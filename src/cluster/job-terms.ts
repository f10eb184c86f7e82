/**
 * A job instance's label terms: `runs-on` (resolved by the planner per instance), the job's
 * `labels:` (with `${{ matrix.x }}` filled in here), and the run's extra terms, with label aliases
 * expanded. An expression left unresolved is an error, never a silent label.
 */
import type { JobInstance, JobSpec } from '../pipeline/types.js';
import { CairnError } from '../util/errors.js';
import type { LabelTerm } from '../scheduler/index.js';
import { formatLabelTerm, parseLabelTerms } from '../scheduler/index.js';

const matrixRef = /\$\{\{\s*matrix\.([A-Za-z0-9_-]+)\s*\}\}/g;

/** Fills `${{ matrix.x }}` in a runs-on value; any other expression is an error. */
function fillMatrix(value: string, instance: JobInstance): string {
  const filled = value.replace(matrixRef, (_, name: string) => {
    const v = instance.matrix[name];
    if (v === undefined || v === null || typeof v === 'object') {
      throw new CairnError('INVALID_INPUT', `job ${instance.key}: label "${value}" names matrix.${name}, which is not a plain value`, { job: instance.key });
    }
    return String(v);
  });
  if (filled.includes('${{')) {
    throw new CairnError('INVALID_INPUT', `job ${instance.key}: label "${value}" may only use matrix values`, { job: instance.key });
  }
  return filled;
}

/** Replaces each plain tag naming an alias by the alias's terms (one level, no recursion). */
function expandAliases(terms: LabelTerm[], aliases: Record<string, string[]>): LabelTerm[] {
  const lower = new Map(Object.entries(aliases).map(([k, v]) => [k.toLowerCase(), v]));
  return terms.flatMap((t) => {
    const alias = t.kind === 'tag' && !t.negated ? lower.get(t.tag.toLowerCase()) : undefined;
    return alias === undefined ? [t] : parseLabelTerms(alias);
  });
}

/** The terms of one instance; throws CairnError INVALID_INPUT for a malformed term. */
export function instanceTerms(spec: JobSpec, instance: JobInstance, extra: readonly string[], aliases: Record<string, string[]>): LabelTerm[] {
  const raw = [...instance.runsOn.map((v) => fillMatrix(v, instance)), ...spec.labels.map((v) => fillMatrix(v, instance)), ...extra];
  const expanded = expandAliases(parseLabelTerms(raw), aliases);
  // Re-parse the canonical text to drop duplicates an alias introduced.
  return parseLabelTerms(expanded.map(formatLabelTerm));
}
