/**
 * Limits of the log model. Every batch, message, window and line has a named maximum here,
 * with the reason for its value. Units are last in the names.
 */

const KiB = 1024;
const MiB = 1024 * KiB;

/** Bytes wait at most this long before they are cut into a chunk: a follower sees a quiet line within ~50 ms. */
export const chunkFlushMs = 50;

/**
 * A chunk holding this many bytes ends with the write that filled it: fast output (pipe reads
 * of 16-64 KiB) then goes out one read per chunk, uncopied, while a line-at-a-time job still
 * gets chunks of many lines.
 */
export const chunkBytesMin = 16 * KiB;

/** A chunk holds at most this many bytes: a fast job yields a chunk per 64 KiB, the size of a pipe read. */
export const chunkBytesMax = 64 * KiB;

/**
 * Raw (uncompressed) bytes in one gossip message: a fast job sends a message per ~2 MiB
 * instead of one per chunk, because each message costs a fixed amount of libp2p work on every
 * node (50 MB flat out, followed: ~27 messages instead of ~115 at 512 KiB, and the follower's
 * CPU ~40 ms instead of ~130). Output that does not compress goes in smaller messages (see
 * messageBytesMax).
 */
export const messageRawBytesMax = 2 * MiB;

/** Chunks in one gossip message or range reply: bounds the header a peer must parse. */
export const messageChunksMax = 4096;

/**
 * Encoded size a log message may reach: half the network's 1 MiB gossip maximum
 * (`gossipMessageBytesMax`), so a message stays far below it even when gossipsub answers an
 * IWANT with two messages in one frame. Text compresses 10-30×, so its messages are far
 * smaller; chunks whose message would be larger (output that does not compress: archives,
 * binary) are sent in several messages (see encodeChunkMessages).
 */
export const messageBytesMax = 512 * KiB;

/** Raw bytes in one reply of the `log-range` repair protocol: a resuming follower catches up 4 MiB per round trip. */
export const rangeReplyRawBytesMax = 4 * MiB;

/** Encoded size of a range reply; below the network's 16 MiB response maximum. */
export const rangeReplyBytesMax = rangeReplyRawBytesMax + 256 * KiB;

/** Longest job id, in bytes: it names a directory (`logs/<job>/`). */
export const jobIdBytesMax = 128;

/**
 * Chunks a reassembler holds out of order. Past this, chunks far ahead of the cursor are
 * dropped and fetched later as a gap: memory stays bounded however much gossip is lost.
 */
export const reassemblyChunksMax = 1024;

/** Bytes a reassembler holds out of order (the same reason as `reassemblyChunksMax`). */
export const reassemblyBytesMax = 32 * MiB;

/** Gap ranges reported at once: a repair round asks for the first few, the next round for the rest. */
export const gapRangesMax = 64;

/** An event message (JSON) may be at most this large: events are small facts, not logs. */
export const eventBytesMax = 16 * KiB;

/** A custom event's data (`::cairn-event name::data`), in bytes after unescaping. */
export const customEventDataBytesMax = 8 * KiB;

/** A custom event's name: a short word, as a chat line or a REPL column shows it. */
export const customEventNameBytesMax = 64;

/** A `::cairn-event` line is inspected up to this many bytes; a longer line is plain output. */
export const eventCommandLineBytesMax = customEventNameBytesMax + 3 * customEventDataBytesMax + 32;

/** Bytes of one index record in `<attempt>.idx`: fixed size, so chunk `seq` is at `seq * indexRecordBytes`. */
export const indexRecordBytes = 24;

/**
 * Raw bytes per zstd frame of a log compressed at rest (`.log.zst`): a range read decompresses
 * at most ~1 MiB beyond what it needs, and frames this large lose almost nothing in ratio.
 */
export const restFrameRawBytesMax = 1 * MiB;
