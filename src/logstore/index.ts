/**
 * Front door of the log store: the I/O side of job logs and events on a node.
 *
 * The daemon creates one `LogService` per node over its Network (started with
 * `gossipTopics: [logsTopic, eventsTopic]`):
 * - owner side: `open(job, attempt)` → `AttemptLog`; give `onOutput` to the executor
 *   (already-masked bytes) and call `end()` with the job's result; `end()` returns the
 *   `LogEnd` whose `sha256` the history record keeps;
 * - any node: `follow(job, attempt, { fromSeq, owner, follow, signal })` for the API's
 *   `logs()`: local files when this node has the log, else gossip with gap repair from the owner;
 * - `events` (EventBus) for the REPL and the bot; `sweep()` for retention.
 * The pieces (LogStore, LogWriter, LogPublisher, LogFollower, retention) are exported for tests
 * and for finer wiring.
 */
export { LogService, type AttemptLog, type AttemptLogOptions, type LogServiceInit, type ServiceFollowOptions } from './log-service.js';
export { LogStore, type LocalFollowOptions, type LogStoreInit, type OpenLogOptions } from './log-store.js';
export { LogWriter, type LogSink, type LogWriterInit } from './log-writer.js';
export { LogReader } from './log-reader.js';
export { LogPublisher, type PublisherInit, type PublisherStats } from './publisher.js';
export { LogFollower, type FollowOptions, type FollowerInit, type FollowerStats } from './follower.js';
export { type FollowStats, type FollowTiming, defaultFollowTiming } from './follow-session.js';
export { serveLogRanges } from './range-service.js';
export { EventBus, type EventBusInit, type EventBusStats } from './event-bus.js';
export { compressLog, defaultRetention, sweepLogs, type RetentionPolicy, type SweepReport } from './retention.js';
export { logPaths, type LogPaths } from './paths.js';
export { zstdCompressor, zstdDecompress } from './zstd.js';
export {
  eventsTopic,
  followQueueBytesMax,
  followerProbeMs,
  gapRepairDelayMs,
  gossipCompressionLevel,
  logRangeProtocol,
  logsTopic,
  publishQueueBytesMax,
  restCompressionLevel,
  retentionAgeMsDefault,
  retentionBytesMaxDefault,
  retentionSweepMs,
} from './constants.js';
