/**
 * Defaults and limits of the log store, publisher and follower, each with its reason.
 */

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const dayMs = 24 * 60 * 60 * 1000;

/** Gossip topic of log chunks and end markers; the version changes with the wire format. */
export const logsTopic = 'cairn/logs/1';

/** Gossip topic of the event bus. */
export const eventsTopic = 'cairn/events/1';

/** Request/response protocol serving ranges of a log from its owner's file (`/cairn/rpc/log-range/1.0.0`). */
export const logRangeProtocol = 'log-range';

/**
 * Bytes a writer takes ahead of the disk: the job's output keeps flowing while a write is in
 * flight, and what accumulates goes out in one system call. Past this the job waits.
 */
export const writeAheadBytesMax = 1 * MiB;

/**
 * The index file (`<attempt>.idx`) is appended at most this often while a log is written:
 * readers of a live log use the writer's records in memory, and `end()` writes the rest
 * before its marker, so each append is one thread-pool round trip saved per chunk. A node
 * that dies mid-job loses at most this much of an unfinished attempt's index.
 */
export const indexFlushMs = 1_000;

/** zstd level of gossip messages: level 1 compresses build logs about as well as 3 (25x vs 27x on a cargo -vv log) at twice the speed. */
export const gossipCompressionLevel = 1;

/** zstd level of logs compressed at rest: done once per finished log, so a slower, tighter level pays. */
export const restCompressionLevel = 9;

/**
 * Chunks waiting to be gossiped, in raw bytes. Past this (the network cannot keep up), the
 * oldest are dropped from gossip, never from the file: followers fetch them as gaps. A job is
 * never slowed down by gossip.
 */
export const publishQueueBytesMax = 16 * MiB;

/**
 * The publisher copies queued chunks into pages of this size (see CopyPages): a chunk's bytes
 * are valid only while it is handed over. Half a message, so a sent message frees its pages.
 */
export const publishPageBytes = 256 * KiB;

/**
 * Empty pages the publisher keeps for the next chunks: as many as its queue may fill, so a
 * followed job flat out, whose queue swells and drains, allocates pages only to its high-water
 * mark; they are let go once the publisher is idle (publishPagesIdleMs).
 */
export const publishSparePagesMax = publishQueueBytesMax / publishPageBytes;

/** The publisher lets its spare pages go once it has had nothing to send for this long. */
export const publishPagesIdleMs = 1_000;

/**
 * While output flows fast (the previous message left less than this long ago), the publisher
 * waits up to this long for a message to fill: a few, larger messages instead of one per chunk,
 * because each costs a fixed amount of libp2p work on both sides (50 MB printed flat out and
 * followed: ~27 messages of up to 2 MiB instead of ~115 at 10 ms and 512 KiB; the follower's
 * process ~40 ms of CPU instead of ~130), for up to this much more lag.
 */
export const publishLingerMs = 30;

/** A gap is fetched from the owner once it has been missing this long (a chunk may still be in flight). */
export const gapRepairDelayMs = 100;

/** A follower that has heard nothing asks the owner how far the log goes after this long (a lost tail or end marker). */
export const followerProbeMs = 500;

/** The probe interval doubles while nothing changes, up to this. */
export const followerProbeMaxMs = 2_000;

/** One `log-range` request (dial, read, reply) may take this long. */
export const repairTimeoutMs = 10_000;

/** A follow on the owner may start just before the attempt opens its log: it waits this long for it. */
export const logOpenWaitMs = 10_000;

/** Consecutive failed requests to the owner before a follow gives up with UNREACHABLE. */
export const repairFailuresMax = 8;

/** Wait after a failed request, doubling per failure, up to `repairBackoffMaxMs`. */
export const repairBackoffMinMs = 100;
export const repairBackoffMaxMs = 2_000;

/**
 * Bytes a follow holds for a slow reader. Past this, gossip for it is ignored and fetched from
 * the owner later, as the reader catches up: memory stays bounded whatever the reader's pace.
 */
export const followQueueBytesMax = 8 * MiB;

/** Finished logs older than this are deleted. */
export const retentionAgeMsDefault = 30 * dayMs;

/** Total size of the logs directory; past it the oldest finished logs are deleted. */
export const retentionBytesMaxDefault = 10 * GiB;

/** How often the daemon compresses finished logs and applies retention. */
export const retentionSweepMs = 10 * 60 * 1000;

/** Decoded indexes of finished logs kept in memory: repairs hit the same few logs. */
export const indexCacheEntriesMax = 64;
