/**
 * Why a job waits, in words and in data: `cairn status JOB` prints the text, the REPL and the
 * chat bot may use the data. Also the submit-time check that some known node could ever run a
 * job (SPEC.md: refused with exit 2 and the labels that exist).
 */
import { CairnError } from '../util/errors.js';
import type { LabelTerm } from './label-terms.js';
import { formatLabelTerm } from './label-terms.js';
import { matches, unmetTerms } from './matches.js';
import type { NodeLabels } from './node-labels.js';
import type { NodeView } from './node-view.js';

/** At most this many labels are listed in a message; the data carries them all. */
export const labelsListedMax = 24;

export type ExplanationCode =
  | 'can-run'
  | 'no-node-matches'
  | 'matching-nodes-busy'
  | 'matching-nodes-down'
  | 'matching-nodes-draining';

export interface Explanation {
  code: ExplanationCode;
  /** One line, e.g. "no node with label maven has a free slot; 2 nodes with maven are busy (4/4 slots)". */
  text: string;
  terms: string[];
  /** Matching nodes by condition, names sorted. */
  matching: { free: string[]; busy: string[]; down: string[]; draining: string[] };
  /** Slots used and total on the matching nodes that are up and not draining. */
  busySlots: { used: number; total: number };
  /** For each node that does not match, the terms it fails (only when no node matches). */
  unmet: Array<{ node: string; terms: string[] }>;
}

function plural(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}

function listed(items: readonly string[]): string {
  const head = items.slice(0, labelsListedMax).join(', ');
  return items.length > labelsListedMax ? `${head}, … (${items.length - labelsListedMax} more)` : head;
}

/** Explains where a job with these terms stands against these nodes. */
export function explain(terms: readonly LabelTerm[], nodes: readonly NodeView[]): Explanation {
  const shown = terms.map(formatLabelTerm);
  const matching = { free: [] as string[], busy: [] as string[], down: [] as string[], draining: [] as string[] };
  const busySlots = { used: 0, total: 0 };
  const unmet: Array<{ node: string; terms: string[] }> = [];
  for (const n of [...nodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (!matches(terms, n.labels)) {
      unmet.push({ node: n.name, terms: unmetTerms(terms, n.labels).map(formatLabelTerm) });
    } else if (!n.up) {
      matching.down.push(n.name);
    } else if (n.draining) {
      matching.draining.push(n.name);
    } else {
      (n.running < n.slots ? matching.free : matching.busy).push(n.name);
      busySlots.used += n.running;
      busySlots.total += n.slots;
    }
  }
  const base = { terms: shown, matching, busySlots };
  const withLabels = shown.length === 0 ? '' : ` with ${plural(shown.length, 'label', 'labels')} ${shown.join(', ')}`;
  const withShort = shown.length === 0 ? '' : ` with ${shown.join(', ')}`;

  if (matching.free.length > 0) {
    return { ...base, code: 'can-run', unmet: [], text: `can run now on ${matching.free.join(', ')}` };
  }
  const count = matching.busy.length + matching.down.length + matching.draining.length;
  if (count === 0) {
    const exist = labelsThatExist(nodes.map((n) => n.labels));
    const text = nodes.length === 0
      ? 'no node has joined the cluster'
      : `no known node has ${plural(shown.length, 'label', 'labels')} ${shown.join(', ')}; labels that exist: ${listed(exist)}`;
    return { ...base, code: 'no-node-matches', unmet, text };
  }
  const upCount = matching.busy.length + matching.draining.length;
  const parts = [upCount === 0 ? `no node${withLabels} is up` : `no node${withLabels} has a free slot`];
  const describe = (names: string[], what: string, detail: string): void => {
    if (names.length === 0) return;
    parts.push(`${names.length} ${plural(names.length, 'node', 'nodes')}${withShort} ${plural(names.length, 'is', 'are')} ${what} (${detail})`);
  };
  describe(matching.busy, 'busy', `${busySlots.used}/${busySlots.total} slots`);
  describe(matching.draining, 'draining', matching.draining.join(', '));
  describe(matching.down, 'down', matching.down.join(', '));
  const code: ExplanationCode = matching.busy.length > 0 ? 'matching-nodes-busy' : matching.down.length > 0 ? 'matching-nodes-down' : 'matching-nodes-draining';
  return { ...base, code, unmet: [], text: parts.join('; ') };
}

/** Every label some node has, lower-cased (the form matching uses) and sorted. */
export function labelsThatExist(nodes: readonly NodeLabels[]): string[] {
  const all = new Set<string>();
  for (const n of nodes) {
    for (const t of n.tags) all.add(t);
    for (const [k, v] of n.values) all.add(`${k}=${v}`);
  }
  return [...all].sort();
}

export type CanEverRun = { ok: true } | { ok: false; labelsThatExist: string[] };

/**
 * Whether any known node (up or down: a down node may come back) could ever run a job with
 * these terms. Busy and down nodes do not make a job unplaceable, only absent labels do.
 */
export function canEverRun(terms: readonly LabelTerm[], knownNodes: readonly NodeLabels[]): CanEverRun {
  if (knownNodes.some((n) => matches(terms, n))) return { ok: true };
  return { ok: false, labelsThatExist: labelsThatExist(knownNodes) };
}

/** The submit-time refusal: CairnError UNPLACEABLE (exit 2, HTTP 422) with the labels that exist. */
export function unplaceableError(terms: readonly LabelTerm[], labelsExisting: readonly string[], job?: string): CairnError {
  const shown = terms.map(formatLabelTerm);
  const who = job === undefined ? 'a job' : `job ${job}`;
  const message = labelsExisting.length === 0
    ? `no node has joined the cluster, so ${who} cannot be placed`
    : `no known node can run ${who} needing ${shown.join(', ')}; labels that exist: ${listed(labelsExisting)}`;
  return new CairnError('UNPLACEABLE', message, { terms: shown, labelsThatExist: [...labelsExisting], ...(job === undefined ? {} : { job }) });
}
