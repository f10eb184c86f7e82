/**
 * Configuration changes as they take effect: when the application has applied a committed
 * conf-change entry (etcd semantics), or when a snapshot replaces the log.
 */
import { applyConfChangeTo, confChangeProblem, decodeConfChange, type ConfChange } from './conf-change.js';
import type { Raft } from './raft.js';
import { releasePendingReadIndex } from './read-index.js';
import { bcastAppend, maybeCommit, maybeSendAppend, sendTimeoutNow } from './replication.js';
import type { ConfState, Snapshot } from './types.js';

/** Applies a committed conf-change entry's data; an invalid one is a no-op on every node. */
export function applyConfChangeEntry(r: Raft, data: Uint8Array): void {
  let cc: ConfChange;
  try {
    cc = decodeConfChange(data);
  } catch {
    return;
  }
  const conf = r.tracker.confState();
  if (confChangeProblem(conf, cc) !== null) return;
  switchToConfig(r, applyConfChangeTo(conf, cc));
}

export function switchToConfig(r: Raft, conf: ConfState): void {
  r.tracker.setConf(conf, r.log.lastIndex() + 1);
  if (r.role !== 'leader') return;
  if (!r.tracker.isVoter(r.id)) {
    // Removed: hand over to an up-to-date voter so the cluster need not wait out an election
    // timeout, then step down.
    const last = r.log.lastIndex();
    for (const id of r.tracker.voters) {
      if (r.tracker.progress.get(id)?.match === last) {
        sendTimeoutNow(r, id);
        break;
      }
    }
    r.becomeFollower(r.term, null);
    return;
  }
  // The quorum changed: the commit index may move, and new members need appends.
  if (maybeCommit(r)) {
    releasePendingReadIndex(r);
    bcastAppend(r);
  } else {
    for (const id of r.tracker.progress.keys()) if (id !== r.id) maybeSendAppend(r, id, false);
  }
  if (r.leadTransferee !== null && !r.tracker.isVoter(r.leadTransferee)) r.leadTransferee = null;
}

/** Follower side of InstallSnapshot (§7); true if the snapshot replaced our log. */
export function restoreSnapshot(r: Raft, s: Snapshot): boolean {
  if (s.meta.index <= r.log.committed) return false;
  if (r.log.matchTerm(s.meta.index, s.meta.term)) {
    // We already hold that prefix: just fast-forward the commit index.
    r.log.commitTo(s.meta.index);
    return false;
  }
  r.log.restore(s);
  r.tracker.setConf(s.meta.conf, r.log.lastIndex() + 1);
  return true;
}
