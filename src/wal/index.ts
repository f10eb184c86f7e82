/**
 * The write-ahead log: durable storage for one Raft node (an I/O adapter; the Raft core in
 * src/raft stays pure). See open-wal.ts for the on-disk layout and recovery, wal.ts for
 * appending with group commit.
 */
export { openWal, type WalOptions, type WalRecovered } from './open-wal.js';
export type { CompactResult, SaveOptions, Wal, WalStats } from './wal.js';
export { groupCommitSavesMax, recordBytesMax, segmentBytesMax, snapshotBytesMax } from './constants.js';
export { restoreStorage } from './restore-storage.js';
