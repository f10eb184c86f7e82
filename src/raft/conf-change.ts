/**
 * Single-server membership changes (Raft dissertation §4.1): one node is added, promoted or
 * removed per change, and a leader has at most one change pending at a time, so any two
 * consecutive configurations share a majority.
 */
import { CairnError } from '../util/errors.js';
import { ByteReader, ByteWriter } from './bytes.js';
import type { ConfState, NodeId } from './types.js';

export type ConfChangeType = 'add-voter' | 'add-learner' | 'promote-learner' | 'remove';

/** One membership change, carried in a `conf-change` log entry. */
export interface ConfChange {
  type: ConfChangeType;
  node: NodeId;
}

const confChangeCodes: Readonly<Record<ConfChangeType, number>> = {
  'add-voter': 1,
  'add-learner': 2,
  'promote-learner': 3,
  remove: 4,
};
const confChangeTypes: readonly ConfChangeType[] = ['add-voter', 'add-learner', 'promote-learner', 'remove'];

/** Encodes a ConfChange into the data of a `conf-change` entry. */
export function encodeConfChange(cc: ConfChange): Uint8Array {
  const w = new ByteWriter();
  w.u8(confChangeCodes[cc.type]);
  w.str(cc.node);
  return w.finish();
}

/** Decodes a ConfChange; throws CairnError INVALID_INPUT on malformed bytes. */
export function decodeConfChange(bytes: Uint8Array): ConfChange {
  const r = new ByteReader(bytes);
  const type = confChangeTypes[r.u8() - 1];
  if (type === undefined) throw new CairnError('INVALID_INPUT', 'unknown conf change type', {});
  const node = r.str();
  r.end();
  return { type, node };
}

/**
 * Why a conf change cannot apply to `conf`, or null if it can. The same check runs when the
 * leader accepts the proposal and when every node applies the committed entry (an invalid
 * committed change is a no-op everywhere, so all nodes still agree).
 */
export function confChangeProblem(conf: ConfState, cc: ConfChange): string | null {
  const voter = conf.voters.includes(cc.node);
  const learner = conf.learners.includes(cc.node);
  switch (cc.type) {
    case 'add-voter':
      return voter ? 'already a voter' : null;
    case 'add-learner':
      return voter ? 'is a voter (demotion is not supported)' : learner ? 'already a learner' : null;
    case 'promote-learner':
      return learner ? null : 'not a learner';
    case 'remove':
      if (!voter && !learner) return 'not a member';
      return voter && conf.voters.length === 1 ? 'cannot remove the last voter' : null;
  }
}

/** The configuration after applying `cc` (which must be valid for `conf`). */
export function applyConfChangeTo(conf: ConfState, cc: ConfChange): ConfState {
  const voters = conf.voters.filter((v) => v !== cc.node);
  const learners = conf.learners.filter((v) => v !== cc.node);
  if (cc.type === 'add-voter' || cc.type === 'promote-learner') voters.push(cc.node);
  if (cc.type === 'add-learner') learners.push(cc.node);
  return { voters: voters.sort(), learners: learners.sort() };
}
