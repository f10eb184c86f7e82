import type { JsonValue, MatrixSpec } from './types.js';

/** One matrix combination: axis (or include-added key) to value. */
export type Combination = Record<string, JsonValue>;

/** Deep equality of JSON values, as GitHub compares matrix values. */
export function jsonEquals(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => jsonEquals(x, b[i]));
  }
  const ao = a as Record<string, JsonValue>;
  const bo = b as Record<string, JsonValue>;
  const keys = Object.keys(ao);
  return keys.length === Object.keys(bo).length && keys.every((k) => k in bo && jsonEquals(ao[k], bo[k]));
}

/** Whether every key of `partial` is in `combo` with an equal value. */
function matches(combo: Combination, partial: Combination, keys: readonly string[]): boolean {
  return keys.every((k) => k in combo && jsonEquals(combo[k], partial[k]));
}

/**
 * Expands a matrix with GitHub's rules:
 * 1. the cartesian product of the axes, in the order written;
 * 2. each `exclude` entry removes every combination it matches (a partial entry matches all
 *    combinations that agree on its keys);
 * 3. each `include` entry is merged into every original combination whose original axis values
 *    it does not contradict (keys added by an earlier include may be overwritten); an entry
 *    that fits no original combination is appended as a new combination of its own.
 * `limit` stops the product early so a huge matrix costs nothing before it is refused.
 */
export function expandMatrix(m: MatrixSpec, limit: number): Combination[] {
  const axisNames = Object.keys(m.axes);
  let product: Combination[] = axisNames.length > 0 ? [{}] : [];
  for (const name of axisNames) {
    const values = m.axes[name] ?? [];
    const next: Combination[] = [];
    for (const combo of product) {
      for (const v of values) {
        next.push({ ...combo, [name]: v });
        if (next.length > limit) return next;
      }
    }
    product = next;
  }
  const kept = product.filter((c) => !m.exclude.some((e) => matches(c, e, Object.keys(e))));
  const extra: Combination[] = [];
  for (const inc of m.include) {
    const originalKeys = Object.keys(inc).filter((k) => axisNames.includes(k));
    let merged = false;
    for (let i = 0; i < kept.length; i++) {
      const combo = kept[i];
      if (combo === undefined || !matches(combo, inc, originalKeys)) continue;
      kept[i] = { ...combo, ...inc };
      merged = true;
    }
    if (!merged) extra.push({ ...inc });
  }
  return [...kept, ...extra];
}

/**
 * How GitHub shows a matrix value in a job's name: strings as they are, other values as JSON.
 */
export function matrixValueLabel(v: JsonValue | undefined): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  return JSON.stringify(v);
}

/** The instance key GitHub gives a matrix job: `test (ubuntu, 22)`. */
export function instanceKey(jobId: string, combo: Combination | undefined): string {
  if (combo === undefined) return jobId;
  const values = Object.values(combo).map(matrixValueLabel);
  return values.length === 0 ? jobId : `${jobId} (${values.join(', ')})`;
}
