/**
 * Defaults and limits of the Raft core. Every limit is a named constant with the reason for
 * its value; `RaftConfig` overrides the defaults per node.
 */

/** Ticks a follower waits without hearing from a leader before it campaigns (etcd: 10). */
export const electionTimeoutTicksDefault = 10;

/** Ticks between leader heartbeats; must be well under the election timeout (etcd: 1). */
export const heartbeatIntervalTicksDefault = 1;

/** Entry bytes per append message: large enough to batch, small enough to not stall a link. */
export const appendBytesMaxDefault = 1024 * 1024;

/** Append messages in flight per follower in the replicate state (flow control window). */
export const inflightAppendsMaxDefault = 256;

/** Entry bytes in flight per follower; 0 would mean unlimited, we bound it. */
export const inflightBytesMaxDefault = 32 * 1024 * 1024;

/** Payload bytes the leader accepts beyond its commit index before it drops proposals. */
export const uncommittedBytesMaxDefault = 16 * 1024 * 1024;

/** Committed entry bytes handed to the application in one Ready (at least one entry). */
export const applyBatchBytesMaxDefault = 4 * 1024 * 1024;

/**
 * When the transport reports that the connection to our leader dropped, we campaign (with
 * pre-vote) after 1..this many ticks instead of a whole election timeout. Randomized so the
 * followers of a crashed leader rarely pre-vote in the same tick and split the vote.
 */
export const leaderLostDelayTicksMax = 3;

/**
 * A learner is promoted only once its log is within this many entries of the commit index:
 * a voter far behind would stall commits until it caught up (dissertation §4.2.1).
 */
export const learnerPromotionLagEntriesMaxDefault = 64;

/** Read-index requests a leader queues while it has not yet committed an entry of its term. */
export const pendingReadIndexMax = 4096;

/** Read-index requests a leader tracks awaiting a heartbeat quorum. */
export const readIndexQueueMax = 4096;
