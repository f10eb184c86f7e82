/**
 * What a Raft node is created with. Only `id`, `storage` and `random` are required; the rest
 * default to the values in constants.ts.
 */
import {
  appendBytesMaxDefault,
  applyBatchBytesMaxDefault,
  electionTimeoutTicksDefault,
  heartbeatIntervalTicksDefault,
  inflightAppendsMaxDefault,
  inflightBytesMaxDefault,
  leaderLostDelayTicksMax,
  learnerPromotionLagEntriesMaxDefault,
  pendingReadIndexMax,
  readIndexQueueMax,
  uncommittedBytesMaxDefault,
} from './constants.js';
import type { Storage } from './storage.js';
import type { NodeId, Random } from './types.js';
import { assert } from '../util/errors.js';

export interface RaftConfig {
  id: NodeId;
  /** The durable log; MemoryStorage filled by the application (or the WAL on restart). */
  storage: Storage;
  /** Injected randomness (election timeouts, leader-lost delay), so simulations replay. */
  random: Random;
  /** Base election timeout; each term draws one in [this, 2 × this). */
  electionTimeoutTicks?: number;
  heartbeatIntervalTicks?: number;
  /** The application's last applied index on restart (default: the snapshot's index). */
  applied?: number;
  preVote?: boolean;
  checkQuorum?: boolean;
  appendBytesMax?: number;
  inflightAppendsMax?: number;
  inflightBytesMax?: number;
  uncommittedBytesMax?: number;
  applyBatchBytesMax?: number;
  /** Upper bound of the randomized delay before pre-voting when the leader's connection drops. */
  leaderLostDelayTicksMax?: number;
  /** How far behind the commit index a learner may be and still be promoted. */
  learnerPromotionLagEntriesMax?: number;
}

/** RaftConfig with every default filled in. */
export interface RaftOptions {
  id: NodeId;
  storage: Storage;
  electionTimeoutTicks: number;
  heartbeatIntervalTicks: number;
  applied: number;
  preVote: boolean;
  checkQuorum: boolean;
  appendBytesMax: number;
  inflightAppendsMax: number;
  inflightBytesMax: number;
  uncommittedBytesMax: number;
  applyBatchBytesMax: number;
  leaderLostDelayTicksMax: number;
  learnerPromotionLagEntriesMax: number;
  pendingReadIndexMax: number;
  readIndexQueueMax: number;
}

export function resolveConfig(c: RaftConfig): RaftOptions {
  const o: RaftOptions = {
    id: c.id,
    storage: c.storage,
    electionTimeoutTicks: c.electionTimeoutTicks ?? electionTimeoutTicksDefault,
    heartbeatIntervalTicks: c.heartbeatIntervalTicks ?? heartbeatIntervalTicksDefault,
    applied: c.applied ?? 0,
    preVote: c.preVote ?? true,
    checkQuorum: c.checkQuorum ?? true,
    appendBytesMax: c.appendBytesMax ?? appendBytesMaxDefault,
    inflightAppendsMax: c.inflightAppendsMax ?? inflightAppendsMaxDefault,
    inflightBytesMax: c.inflightBytesMax ?? inflightBytesMaxDefault,
    uncommittedBytesMax: c.uncommittedBytesMax ?? uncommittedBytesMaxDefault,
    applyBatchBytesMax: c.applyBatchBytesMax ?? applyBatchBytesMaxDefault,
    leaderLostDelayTicksMax: c.leaderLostDelayTicksMax ?? leaderLostDelayTicksMax,
    learnerPromotionLagEntriesMax: c.learnerPromotionLagEntriesMax ?? learnerPromotionLagEntriesMaxDefault,
    pendingReadIndexMax,
    readIndexQueueMax,
  };
  assert(o.id.length > 0, 'node id must not be empty');
  assert(o.heartbeatIntervalTicks > 0, 'heartbeat interval must be positive');
  assert(o.electionTimeoutTicks > o.heartbeatIntervalTicks, 'election timeout must exceed the heartbeat interval');
  assert(o.inflightAppendsMax > 0, 'inflight window must be positive');
  assert(o.leaderLostDelayTicksMax >= 1, 'leader-lost delay must be at least one tick');
  return o;
}
