/**
 * Leases: a node that has not heartbeat for longer than the cluster's lease is marked down (its
 * attempts are lost and re-queued per the retry policy). The leader calls leaseExpired on a timer
 * and proposes what it returns; the compare-and-set in each NodeDown makes a proposal that raced a
 * heartbeat harmless.
 */
import type { NodeDownCommand } from './commands.js';
import type { ClusterState } from './types.js';

export interface LeaseCheckOptions {
  /**
   * When this leader took office (its clock). Heartbeats sent to the old leader may not have
   * reached the log, so a new leader gives every node a full lease from this moment first.
   */
  leaderSinceMs?: number;
}

/** NodeDown commands for every up node silent for longer than the lease, as of `nowMs`. */
export function leaseExpired(state: ClusterState, nowMs: number, opts: LeaseCheckOptions = {}): NodeDownCommand[] {
  const lease = state.config.leaseMs;
  const out: NodeDownCommand[] = [];
  for (const n of Object.values(state.nodes).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (n.state !== 'up') continue;
    const since = Math.max(n.lastHeartbeatMs, opts.leaderSinceMs ?? n.lastHeartbeatMs);
    if (nowMs - since > lease) {
      out.push({ kind: 'NodeDown', node: n.name, reason: `lease expired: no heartbeat for ${nowMs - n.lastHeartbeatMs} ms (lease ${lease} ms)`, ifLastHeartbeatMs: n.lastHeartbeatMs });
    }
  }
  return out;
}

/**
 * How much of the lease a node cut off from the quorum waits before it stops its own jobs. Less
 * than the whole lease, so the node stops before the leader (counting the full lease from a later
 * moment, and on another clock) declares it down and runs its jobs elsewhere.
 */
export const selfFenceLeaseFraction = 0.8;

/**
 * When a node must stop its running attempts if no heartbeat of its has committed since. Count
 * from when the node *sent* its last heartbeat that did commit: that moment is no later than the
 * entry's time the leader counts from.
 */
export function selfFenceDeadlineMs(lastCommittedHeartbeatSentAtMs: number, leaseMs: number): number {
  return lastCommittedHeartbeatSentAtMs + Math.floor(leaseMs * selfFenceLeaseFraction);
}
