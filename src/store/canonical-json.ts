/**
 * The one JSON encoding of the store: keys sorted at every level, two-space indentation, a
 * trailing newline. Two nodes encoding equal values get equal bytes, hence equal blob ids.
 */
import { CairnError } from '../util/errors.js';

/** Encodes `value`; anything JSON cannot carry exactly (NaN, a function, a cycle) is refused. */
export function canonicalJson(value: unknown, what: string): string {
  return `${JSON.stringify(normalise(value, what, new Set()), null, 2)}\n`;
}

function normalise(value: unknown, what: string, seen: Set<object>): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw refuse(what, `holds the number ${value}`);
    return value;
  }
  if (typeof value !== 'object') throw refuse(what, `holds a ${typeof value}`);
  if (seen.has(value)) throw refuse(what, 'refers to itself');
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : normalise(v, what, seen)));
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) throw refuse(what, 'holds an object that is not plain JSON');
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = normalise(v, what, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

function refuse(what: string, why: string): CairnError {
  return new CairnError('INVALID_INPUT', `${what} is not plain JSON: it ${why}`, { what });
}
