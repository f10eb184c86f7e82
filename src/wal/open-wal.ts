/**
 * Opens a node's write-ahead log and recovers what it holds. Layout under the node's `raft/`
 * data directory:
 *
 *   raft/wal/<seq>-<first index>.wal     segments, appended in order (segment.ts)
 *   raft/snap/<index>-<term>.snap        snapshots, written atomically (snapshot-file.ts)
 *
 * Recovery loads the newest snapshot, replays every segment (replay.ts), cuts a torn tail
 * off the last segment, refuses damage anywhere else with STORAGE_CORRUPT, and removes
 * leftovers of a crash: temporary snapshot files and snapshots older than the newest.
 */
import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Entry, HardState, Snapshot } from '../raft/types.js';
import { assert } from '../util/errors.js';
import { recordBytesMax, segmentBytesMax, snapDirName, walDirName } from './constants.js';
import { syncDir } from './fs-util.js';
import { replay, type ReplaySegment } from './replay.js';
import { listSegmentFiles, scanSegment, segmentFileName, type SegmentFile } from './segment.js';
import { listSnapshotFiles, pruneSnapshotFiles, readSnapshotFile } from './snapshot-file.js';
import { createWal, type Wal, type WalLimits } from './wal.js';

/** Optional limits, lowered by tests; defaults in constants.ts. */
export interface WalOptions {
  segmentBytesMax?: number;
  recordBytesMax?: number;
}

/** What the log held when it was opened: enough to rebuild the Raft node's storage. */
export interface WalRecovered {
  hardState: HardState;
  /** Entries after the snapshot (or from index 1), contiguous. */
  entries: Entry[];
  snapshot: Snapshot | null;
  /** A torn last record that was cut off, if there was one. */
  tornTail: { file: string; offset: number; reason: string } | null;
}

/**
 * Opens (creating if needed) the write-ahead log in `dir`, the node's `raft/` directory.
 * Throws CairnError STORAGE_CORRUPT, with `data.file` and `data.offset`, for damage that is
 * not a torn tail.
 */
export async function openWal(dir: string, opts: WalOptions = {}): Promise<{ wal: Wal; recovered: WalRecovered }> {
  const limits: WalLimits = {
    segmentBytesMax: opts.segmentBytesMax ?? segmentBytesMax,
    recordBytesMax: opts.recordBytesMax ?? recordBytesMax,
  };
  assert(limits.recordBytesMax + 64 <= limits.segmentBytesMax, 'recordBytesMax must fit well inside segmentBytesMax');
  const walDir = join(dir, walDirName);
  const snapDir = join(dir, snapDirName);
  await makeDurableDir(walDir);
  await makeDurableDir(snapDir);

  const snapFiles = await listSnapshotFiles(snapDir);
  const newestSnapshot = snapFiles[snapFiles.length - 1] ?? null;
  const snapshot = newestSnapshot === null ? null : await readSnapshotFile(snapDir, newestSnapshot);
  // A crash between writing a snapshot and pruning the older ones leaves both: finish the job.
  if (newestSnapshot !== null) await pruneSnapshotFiles(snapDir, newestSnapshot);

  const files = await listSegmentFiles(walDir);
  const scanned: ReplaySegment[] = [];
  let tornTail: WalRecovered['tornTail'] = null;
  let currentBytes = 0;
  for (const [i, file] of files.entries()) {
    const path = join(walDir, file.name);
    const scan = scanSegment(await readFile(path), path, i === files.length - 1);
    if (scan.tornReason !== null) {
      tornTail = { file: path, offset: scan.validBytes, reason: scan.tornReason };
      await truncateDurably(path, scan.validBytes);
    }
    currentBytes = scan.validBytes;
    scanned.push({ path, records: scan.records });
  }
  const log = replay(scanned, snapshot?.meta ?? null);

  const segments = files.map((file, i) => ({ file, maxIndex: log.maxIndexes[i] ?? 0 }));
  let last: SegmentFile | undefined = files[files.length - 1];
  if (last === undefined) {
    last = { seq: 0, firstIndex: log.lastIndex + 1, name: segmentFileName(0, log.lastIndex + 1) };
    segments.push({ file: last, maxIndex: 0 });
    currentBytes = 0;
  }
  const current = await open(join(walDir, last.name), 'a');
  if (files.length === 0) await syncDir(walDir);

  const wal = createWal(
    { walDir, snapDir, segments, current, currentBytes, lastIndex: log.lastIndex, hardState: log.hardState, newestSnapshot },
    limits,
  );
  return { wal, recovered: { hardState: log.hardState, entries: log.entries, snapshot, tornTail } };
}

async function makeDurableDir(path: string): Promise<void> {
  const created = await mkdir(path, { recursive: true });
  if (created === undefined) return;
  // mkdir returns the first directory it created: it and every one below it, and the parent
  // of it, must be synced for the new names to survive a power loss.
  const top = resolve(created);
  for (let p = resolve(path); ; p = dirname(p)) {
    await syncDir(p);
    if (p === top || dirname(p) === p) break;
  }
  await syncDir(dirname(top));
}

async function truncateDurably(path: string, bytes: number): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    await fh.truncate(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
}
