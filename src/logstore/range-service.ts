import { decodeRangeRequest, encodeRangeReply, type Compress } from '../logs/index.js';
import type { Network } from '../net/index.js';
import { gossipCompressionLevel, logRangeProtocol } from './constants.js';
import type { LogStore } from './log-store.js';
import { zstdCompressor } from './zstd.js';

/**
 * Serves `log-range` requests from this node's log files: how a follower anywhere repairs a
 * gap or catches up. Replies are compressed like gossip; an unknown log is NOT_FOUND.
 */
export async function serveLogRanges(network: Pick<Network, 'handle'>, store: LogStore, compress: Compress = zstdCompressor(gossipCompressionLevel)): Promise<void> {
  await network.handle(logRangeProtocol, async (_from, bytes) => encodeRangeReply(await store.readRange(decodeRangeRequest(bytes)), compress));
}
