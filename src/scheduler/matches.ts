/** Whether a node's labels satisfy a job's terms. */
import type { LabelTerm } from './label-terms.js';
import type { NodeLabels } from './node-labels.js';

/**
 * One term against a node. A bare `tag` holds when the node has that tag or any value for that
 * key (so `gpu` matches a node labelled `gpu=a100`, and `!gpu` excludes it). `key!=value` holds
 * when the node has another value for the key or none at all, as Kubernetes' NotIn does.
 */
export function termHolds(term: LabelTerm, labels: NodeLabels): boolean {
  let has: boolean;
  if (term.kind === 'tag') {
    const tag = term.tag.toLowerCase();
    has = labels.tags.has(tag) || labels.values.has(tag);
  } else {
    has = labels.values.get(term.key.toLowerCase()) === term.value.toLowerCase();
  }
  return term.negated ? !has : has;
}

/** True when every term holds on the node (no terms: any node). */
export function matches(terms: readonly LabelTerm[], labels: NodeLabels): boolean {
  return terms.every((t) => termHolds(t, labels));
}

/** The terms that do not hold on the node, for explanations. */
export function unmetTerms(terms: readonly LabelTerm[], labels: NodeLabels): LabelTerm[] {
  return terms.filter((t) => !termHolds(t, labels));
}
