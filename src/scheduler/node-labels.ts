/**
 * A node's labels: bare tags and key=value pairs, with SPEC.md's built-ins (`os=linux`,
 * `arch=x64`, `name=<node>`, tags `self-hosted`, `linux`, `x64`). The operating system and
 * architecture are inputs, since this core may not read `process`.
 */
import { CairnError } from '../util/errors.js';
import { formatLabelTerm, parseLabelTerm } from './label-terms.js';

/** Labels in matching form: lower-cased, so comparisons ignore case. */
export interface NodeLabels {
  tags: ReadonlySet<string>;
  values: ReadonlyMap<string, string>;
}

export interface NodeIdentity {
  name: string;
  /** As Node reports it (`linux`, `darwin`): the daemon passes the platform it runs on. */
  os: string;
  /** As Node reports it (`x64`, `arm64`): the daemon passes its architecture. */
  arch: string;
  /** The operator's labels (`--labels`), each a `tag` or `key=value`. */
  labels: readonly string[];
}

/** The built-in labels of a node, in display order. */
export function builtinLabels(id: Pick<NodeIdentity, 'name' | 'os' | 'arch'>): string[] {
  return [`os=${id.os}`, `arch=${id.arch}`, `name=${id.name}`, 'self-hosted', id.os, id.arch];
}

/**
 * The effective label list of a node: built-ins first, then the operator's labels. An operator's
 * `key=value` replaces a built-in with the same key (a node may say `os=ubuntu`); duplicates go.
 * Throws CairnError INVALID_INPUT for a malformed or negated label.
 */
export function effectiveLabels(id: NodeIdentity): string[] {
  const own = id.labels.map((raw) => {
    const t = parseLabelTerm(raw);
    if (t.negated) throw new CairnError('INVALID_INPUT', `a node label cannot be negated: "${raw}"`, { label: raw });
    return t;
  });
  const ownKeys = new Set(own.flatMap((t) => (t.kind === 'kv' ? [t.key.toLowerCase()] : [])));
  const builtins = builtinLabels(id).filter((l) => {
    const eq = l.indexOf('=');
    return eq < 0 || !ownKeys.has(l.slice(0, eq).toLowerCase());
  });
  const out: string[] = [];
  const seen = new Set<string>();
  for (const l of [...builtins, ...own.map(formatLabelTerm)]) {
    const k = l.toLowerCase();
    if (!seen.has(k)) {
      seen.add(k);
      out.push(l);
    }
  }
  return out;
}

/** Turns a label list (tags and key=value, no negation) into matching form. */
export function toNodeLabels(labels: readonly string[]): NodeLabels {
  const tags = new Set<string>();
  const values = new Map<string, string>();
  for (const raw of labels) {
    const eq = raw.indexOf('=');
    if (eq < 0) tags.add(raw.toLowerCase());
    else values.set(raw.slice(0, eq).toLowerCase(), raw.slice(eq + 1).toLowerCase());
  }
  return { tags, values };
}
