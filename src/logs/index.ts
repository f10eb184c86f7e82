/**
 * Front door of the log model (pure: no I/O, no clock). A job attempt's output is cut into
 * numbered chunks by `ChunkBatcher` on the node that runs it; chunks travel as gossip messages
 * (`encodeLogMessage`, compression injected) and are put back in order on every follower by a
 * `Reassembler`, which names the gaps to fetch from the owner with the `log-range` protocol
 * (`encodeRangeRequest` / `encodeRangeReply`). The event bus carries `CairnEvent`s
 * (`encodeEvent`), among them the custom events steps print as `::cairn-event name::data`
 * (`EventCommandScanner`). The I/O side lives in src/logstore.
 */
export type { LogChunk, LogEnd, SeqRange } from './chunk.js';
export { checkLogId, logKey } from './chunk.js';
export { ChunkBatcher, concat, type BatcherInit } from './batcher.js';
export {
  decodeLogMessage,
  decodeRangeReply,
  decodeRangeRequest,
  encodeChunkMessages,
  encodeLogMessage,
  encodeRangeReply,
  encodeRangeRequest,
  groupChunks,
  peekLogMessage,
  toHex,
  type Compress,
  type Decompress,
  type EncodedChunks,
  type LogMessage,
  type RangeReply,
  type RangeRequest,
} from './wire.js';
export { Reassembler, type ReassemblerInit, type ReassemblerStats } from './reassembler.js';
export { decodeIndexRecords, encodeIndexRecords, type IndexRecord } from './index-record.js';
export { decodeSeekTable, encodeSeekTable, framesFor, seekFooterBytes, seekTableBytes, type LocatedFrame, type SeekFrame } from './seek-table.js';
export { dispatchEvent } from './event.js';
export type * from './event.js';
export { customEventNamePattern, decodeEvent, encodeEvent } from './event-codec.js';
export { EventCommandScanner, parseEventCommand, type EventCommand, type FindBytes } from './event-command.js';
export {
  chunkBytesMax,
  chunkBytesMin,
  chunkFlushMs,
  customEventDataBytesMax,
  eventBytesMax,
  gapRangesMax,
  indexRecordBytes,
  jobIdBytesMax,
  messageBytesMax,
  messageChunksMax,
  messageRawBytesMax,
  rangeReplyBytesMax,
  rangeReplyRawBytesMax,
  reassemblyBytesMax,
  reassemblyChunksMax,
  restFrameRawBytesMax,
} from './constants.js';
