/**
 * Front door of the label scheduler (pure: no I/O, no clock). Parses label terms, builds node
 * labels with the built-ins, places queued jobs on nodes with free slots, and explains why a
 * job waits.
 */
export type { LabelTerm } from './label-terms.js';
export { formatLabelTerm, formatLabelTerms, labelTermLengthMax, labelTermsMax, parseLabelTerm, parseLabelTerms } from './label-terms.js';
export type { NodeIdentity, NodeLabels } from './node-labels.js';
export { builtinLabels, effectiveLabels, toNodeLabels } from './node-labels.js';
export { matches, termHolds, unmetTerms } from './matches.js';
export type { NodeView } from './node-view.js';
export { hasFreeSlot } from './node-view.js';
export type { Placement, PlaceResult, QueuedJob } from './place.js';
export { assign, byAge, place } from './place.js';
export type { CanEverRun, Explanation, ExplanationCode } from './explain.js';
export { canEverRun, explain, labelsListedMax, labelsThatExist, unplaceableError } from './explain.js';
