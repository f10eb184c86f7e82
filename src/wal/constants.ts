/**
 * Limits and layout of the write-ahead log. Each limit is named with its unit last and says
 * why it has the value it has (STYLE.md: limits everywhere).
 */

/**
 * A segment is closed and the next one started before it would grow past this. Compaction
 * deletes whole segments, so smaller segments free disk sooner after a snapshot; recovery
 * reads a segment whole, so this also bounds the memory one segment needs. etcd uses 64 MB.
 */
export const segmentBytesMax = 64 * 1024 * 1024;

/**
 * Largest payload of one record (an entry's data plus 17 bytes of index, term and type). A
 * cluster command is a few kilobytes; anything near this is a bug or an abuse, and it must
 * fit well inside a segment.
 */
export const recordBytesMax = 8 * 1024 * 1024;

/** Largest snapshot file; recovery reads it whole into memory and checks its CRC. */
export const snapshotBytesMax = 1024 * 1024 * 1024;

/**
 * At most this many save() calls share one fsync (group commit). Bounds the memory and the
 * latency of one flush; the rest wait for the next one.
 */
export const groupCommitSavesMax = 4096;

/** Subdirectories of the node's `raft/` data directory. */
export const walDirName = 'wal';
export const snapDirName = 'snap';

/** A segment is `<seq>-<first index>.wal`, both zero-padded decimal so names sort in order. */
export const segmentNameDigits = 16;
