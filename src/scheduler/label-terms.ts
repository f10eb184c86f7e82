/**
 * Label terms (SPEC.md "Labels and placement"): the requirements a job puts on a node. All of a
 * job's terms must hold. Four forms: `tag`, `!tag`, `key=value`, `key!=value`.
 *
 * Matching is case-insensitive, as GitHub's `runs-on` is, so `[self-hosted, Linux, X64]` matches
 * the built-in tags; terms keep their spelling for display.
 */
import { CairnError } from '../util/errors.js';

/** A tag or key: starts with a letter, digit or `_`; `.`, `-`, `+`, `/` may follow. */
const nameRe = /^[A-Za-z0-9_][A-Za-z0-9_.+\-/]*$/;
/** A value may also hold `:` and `@` (versions, images). */
const valueRe = /^[A-Za-z0-9_.+\-/:@]+$/;
/** Longest term accepted: labels are identifiers, not documents. */
export const labelTermLengthMax = 128;
/** Most terms on one job: the scheduler matches every term against every node. */
export const labelTermsMax = 64;

export type LabelTerm =
  | { kind: 'tag'; tag: string; negated: boolean }
  | { kind: 'kv'; key: string; value: string; negated: boolean };

function malformed(raw: string, why: string): CairnError {
  return new CairnError('INVALID_INPUT', `malformed label term "${raw}": ${why}`, { term: raw, reason: why });
}

function checkName(raw: string, name: string, what: string): void {
  if (name === '') throw malformed(raw, `no ${what}`);
  if (!nameRe.test(name)) throw malformed(raw, `${what} "${name}" may use letters, digits and _ . + - / (starting with a letter, digit or _)`);
}

/** Parses one term; throws CairnError INVALID_INPUT naming the term and what is wrong with it. */
export function parseLabelTerm(input: string): LabelTerm {
  const raw = input.trim();
  if (raw === '') throw malformed(input, 'empty term');
  if (raw.length > labelTermLengthMax) throw malformed(raw.slice(0, 32) + '…', `longer than ${labelTermLengthMax} characters`);
  if (/\s/.test(raw)) throw malformed(raw, 'contains whitespace (separate terms with commas)');
  const eq = raw.indexOf('=');
  if (eq < 0) {
    const negated = raw.startsWith('!');
    const tag = negated ? raw.slice(1) : raw;
    if (tag.startsWith('!')) throw malformed(raw, 'more than one "!"');
    checkName(raw, tag, 'tag');
    return { kind: 'tag', tag, negated };
  }
  if (raw.indexOf('=', eq + 1) >= 0) throw malformed(raw, 'more than one "="');
  const negated = eq > 0 && raw[eq - 1] === '!';
  const key = raw.slice(0, negated ? eq - 1 : eq);
  const value = raw.slice(eq + 1);
  if (key.startsWith('!')) throw malformed(raw, `negate a key=value term as ${key.slice(1)}!=${value}`);
  checkName(raw, key, 'key');
  if (value === '') throw malformed(raw, 'no value after "="');
  if (!valueRe.test(value)) throw malformed(raw, `value "${value}" may use letters, digits and _ . + - / : @`);
  return { kind: 'kv', key, value, negated };
}

/**
 * Parses terms from a comma-separated string (`--labels maven,os=linux`) or a list (`runs-on`,
 * `labels:`), whose items may themselves hold commas. An empty string is no terms.
 */
export function parseLabelTerms(input: string | readonly string[]): LabelTerm[] {
  const items = typeof input === 'string' ? (input.trim() === '' ? [] : [input]) : input;
  const terms: LabelTerm[] = [];
  for (const item of items) {
    for (const piece of item.split(',')) terms.push(parseLabelTerm(piece));
  }
  if (terms.length > labelTermsMax) {
    throw new CairnError('INVALID_INPUT', `too many label terms (${terms.length}, at most ${labelTermsMax})`, { count: terms.length });
  }
  return dedupeTerms(terms);
}

/** Drops repeated terms (compared case-insensitively), keeping the first spelling. */
function dedupeTerms(terms: LabelTerm[]): LabelTerm[] {
  const seen = new Set<string>();
  return terms.filter((t) => {
    const k = formatLabelTerm(t).toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The canonical text of a term, the inverse of parseLabelTerm. */
export function formatLabelTerm(term: LabelTerm): string {
  if (term.kind === 'tag') return `${term.negated ? '!' : ''}${term.tag}`;
  return `${term.key}${term.negated ? '!=' : '='}${term.value}`;
}

/** Formats a list of terms, e.g. for a reason or a view. */
export function formatLabelTerms(terms: readonly LabelTerm[]): string[] {
  return terms.map(formatLabelTerm);
}
