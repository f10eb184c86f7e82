/**
 * Snapshot files: `snap/<index>-<term>.snap`, one framed record each (record.ts), written
 * atomically — write a temporary file, fsync it, rename it into place, fsync the directory —
 * so a crash leaves either the old set of snapshots or the new one, never a partial file
 * under a final name. Leftover temporary files are removed on open.
 */
import { open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Snapshot, SnapshotMeta } from '../raft/types.js';
import { CairnError } from '../util/errors.js';
import { PayloadError, decodeSnapshot, encodeSnapshot } from './codec.js';
import { segmentNameDigits, snapshotBytesMax } from './constants.js';
import { pad, syncDir, writeAll } from './fs-util.js';
import { RecordType, frameRecord, parseRecordAt } from './record.js';

const snapNamePattern = /^(\d+)-(\d+)\.snap$/;
const tempSuffix = '.tmp';

/** A snapshot file on disk, by name. */
export interface SnapshotFile {
  name: string;
  index: number;
  term: number;
}

export function snapshotFileName(index: number, term: number): string {
  return `${pad(index, segmentNameDigits)}-${pad(term, segmentNameDigits)}.snap`;
}

/**
 * Frames a snapshot as the bytes of its file. Done when save() is called, so that a snapshot
 * over the limit is refused before anything is queued.
 */
export function frameSnapshot(snap: Snapshot): Buffer {
  const body = frameRecord(RecordType.snapshot, encodeSnapshot(snap.meta, snap.data));
  if (body.length > snapshotBytesMax) {
    throw new CairnError('PAYLOAD_TOO_LARGE', `snapshot at index ${snap.meta.index} is ${body.length} bytes; the limit is snapshotBytesMax = ${snapshotBytesMax}`, {
      bytes: body.length,
      limit: snapshotBytesMax,
    });
  }
  return body;
}

/** Writes a framed snapshot durably and atomically into `dir`; resolves once the rename is durable. */
export async function writeSnapshotFile(dir: string, meta: SnapshotMeta, body: Uint8Array): Promise<SnapshotFile> {
  const name = snapshotFileName(meta.index, meta.term);
  const temp = join(dir, name + tempSuffix);
  const fh = await open(temp, 'w');
  try {
    await writeAll(fh, body);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(temp, join(dir, name));
  await syncDir(dir);
  return { name, index: meta.index, term: meta.term };
}

/**
 * Lists the snapshot files in `dir`, oldest first, after deleting leftover temporary files
 * (a crash before the rename: the snapshot they hold was never durable, so never relied on).
 */
export async function listSnapshotFiles(dir: string): Promise<SnapshotFile[]> {
  const names = await readdir(dir);
  const files: SnapshotFile[] = [];
  let removed = false;
  for (const name of names) {
    if (name.endsWith(tempSuffix)) {
      await rm(join(dir, name), { force: true });
      removed = true;
      continue;
    }
    const m = snapNamePattern.exec(name);
    if (m?.[1] !== undefined && m[2] !== undefined) files.push({ name, index: Number(m[1]), term: Number(m[2]) });
  }
  if (removed) await syncDir(dir);
  return files.sort((a, b) => a.index - b.index || a.term - b.term);
}

/** Reads and checks one snapshot file; any damage is STORAGE_CORRUPT (it was renamed whole). */
export async function readSnapshotFile(dir: string, file: SnapshotFile): Promise<Snapshot> {
  const path = join(dir, file.name);
  const size = (await stat(path)).size;
  if (size > snapshotBytesMax) {
    throw new CairnError('STORAGE_CORRUPT', `snapshot file ${path} is ${size} bytes, over the ${snapshotBytesMax}-byte limit`, { file: path, offset: 0 });
  }
  const buf = await readFile(path);
  const rec = parseRecordAt(buf, 0);
  const bad = (why: string): CairnError =>
    new CairnError('STORAGE_CORRUPT', `snapshot file ${path} is damaged at offset 0: ${why}`, { file: path, offset: 0 });
  if (!rec.ok) throw bad(rec.reason);
  if (rec.type !== RecordType.snapshot) throw bad(`record type ${rec.type} is not a snapshot`);
  if (rec.end !== buf.length) throw bad(`${buf.length - rec.end} trailing bytes`);
  try {
    const snap = decodeSnapshot(rec.payload);
    if (snap.meta.index !== file.index || snap.meta.term !== file.term) {
      throw bad(`holds index ${snap.meta.index} term ${snap.meta.term}, not what its name says`);
    }
    return snap;
  } catch (err) {
    if (err instanceof PayloadError) throw bad(err.message);
    throw err;
  }
}

/** Deletes every snapshot file older than `keep` (by index); fsyncs the directory if any. */
export async function pruneSnapshotFiles(dir: string, keep: SnapshotFile): Promise<number> {
  const old = (await listSnapshotFiles(dir)).filter((f) => f.index < keep.index || (f.index === keep.index && f.term < keep.term));
  for (const f of old) await rm(join(dir, f.name), { force: true });
  if (old.length > 0) await syncDir(dir);
  return old.length;
}
