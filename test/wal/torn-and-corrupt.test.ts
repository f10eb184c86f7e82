/**
 * Crash and damage at the byte level: a torn last record is dropped (at every cut point),
 * a damaged record followed by valid ones is refused with STORAGE_CORRUPT naming the file
 * and offset.
 */
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnError } from '../../src/util/errors.js';
import { openWal } from '../../src/wal/index.js';
import { entries, entry, recover, segmentNames, tempDir } from './helpers.js';

const savedCount = 6;
let root: string;
let cleanup: () => Promise<void>;
/** Bytes of the one segment after each single-entry save; boundaries[i] is where record i+1 starts. */
let boundaries: number[];
let segment: Buffer;
let segmentName: string;

beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir());
  const src = join(root, 'src');
  const { wal } = await openWal(src);
  boundaries = [0];
  for (let i = 1; i <= savedCount; i++) {
    await wal.save(null, [entry(i, 1, 24)]);
    segmentName = (await segmentNames(src))[0] ?? '';
    boundaries.push((await stat(join(src, 'wal', segmentName))).size);
  }
  await wal.close();
  segment = await readFile(join(src, 'wal', segmentName));
});
afterAll(() => cleanup());

let cases = 0;
/** A fresh raft/ dir whose only segment holds `bytes`. */
async function dirWith(bytes: Buffer): Promise<{ dir: string; path: string }> {
  const dir = join(root, `case-${cases++}`);
  await mkdir(join(dir, 'wal'), { recursive: true });
  const path = join(dir, 'wal', segmentName);
  await writeFile(path, bytes);
  return { dir, path };
}

function flipped(at: number): Buffer {
  const copy = Buffer.from(segment);
  copy[at] = (copy[at] ?? 0) ^ 0xff;
  return copy;
}

describe('a torn last record', () => {
  it('is dropped at every byte offset of the cut, losing nothing before it', async () => {
    const lastStart = boundaries[savedCount - 1] ?? 0;
    const end = boundaries[savedCount] ?? 0;
    expect(end - lastStart).toBe(13 + 17 + 24);
    for (let cut = lastStart; cut < end; cut++) {
      const { dir, path } = await dirWith(segment.subarray(0, cut));
      const { recovered } = await recover(dir);
      expect(recovered.entries).toEqual(entries(1, savedCount - 1, 1, 24));
      expect(recovered.tornTail).toEqual(cut === lastStart ? null : { file: path, offset: lastStart, reason: expect.any(String) });
      // The file was cut back to the last whole record, durably.
      expect((await stat(path)).size).toBe(lastStart);
    }
  });

  it('leaves a log that accepts new appends after the cut', async () => {
    const lastStart = boundaries[savedCount - 1] ?? 0;
    const { dir } = await dirWith(segment.subarray(0, lastStart + 7));
    const { wal } = await openWal(dir);
    await wal.save({ term: 2, vote: 'x', commit: 1 }, [entry(savedCount, 2)]);
    await wal.close();
    const { recovered } = await recover(dir);
    expect(recovered.entries).toEqual([...entries(1, savedCount - 1, 1, 24), entry(savedCount, 2)]);
    expect(recovered.tornTail).toBeNull();
  });

  it('is dropped when any one of its bytes is flipped (bad CRC in the last record)', async () => {
    const lastStart = boundaries[savedCount - 1] ?? 0;
    for (let at = lastStart; at < segment.length; at++) {
      const { dir, path } = await dirWith(flipped(at));
      const { recovered } = await recover(dir);
      expect(recovered.entries).toEqual(entries(1, savedCount - 1, 1, 24));
      expect(recovered.tornTail).toMatchObject({ file: path, offset: lastStart });
    }
  });

  it('is dropped when the tail is zero-filled (a file extended but never written)', async () => {
    const { dir } = await dirWith(Buffer.concat([segment, Buffer.alloc(100)]));
    const { recovered } = await recover(dir);
    expect(recovered.entries).toEqual(entries(1, savedCount, 1, 24));
    expect(recovered.tornTail?.offset).toBe(segment.length);
  });
});

describe('a damaged record in the middle', () => {
  it('is refused with STORAGE_CORRUPT naming the file and the offset, for every byte flipped', async () => {
    const k = 2; // the third record: two before it, three after
    const start = boundaries[k] ?? 0;
    const end = boundaries[k + 1] ?? 0;
    for (let at = start; at < end; at++) {
      const { dir, path } = await dirWith(flipped(at));
      const err = await openWal(dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CairnError);
      expect((err as CairnError).code).toBe('STORAGE_CORRUPT');
      expect((err as CairnError).data).toMatchObject({ file: path, offset: start });
      expect((err as CairnError).message).toContain(`${path} is corrupt at offset ${start}`);
      // Nothing was cut: the evidence stays on disk.
      expect((await stat(path)).size).toBe(segment.length);
    }
  });

  it('is refused when the damaged record ends a segment that another segment follows', async () => {
    const dir = join(root, 'torn-not-last');
    const opts = { segmentBytesMax: 512, recordBytesMax: 128 };
    const { wal } = await openWal(dir, opts);
    for (let i = 1; i <= 30; i++) await wal.save(null, [entry(i)]);
    await wal.close();
    const names = await segmentNames(dir);
    expect(names.length).toBeGreaterThan(2);
    const first = join(dir, 'wal', names[0] ?? '');
    const bytes = await readFile(first);
    await writeFile(first, bytes.subarray(0, bytes.length - 1)); // torn, but not the last segment
    const err = await openWal(dir, opts).catch((e: unknown) => e);
    expect((err as CairnError).code).toBe('STORAGE_CORRUPT');
    expect((err as CairnError).data).toMatchObject({ file: first });
    expect((err as CairnError).message).toContain('later segments follow');
  });

  it('is refused when a segment in the middle is missing', async () => {
    const dir = join(root, 'missing-segment');
    const opts = { segmentBytesMax: 512, recordBytesMax: 128 };
    const { wal } = await openWal(dir, opts);
    for (let i = 1; i <= 40; i++) await wal.save(null, [entry(i)]);
    await wal.close();
    const names = await segmentNames(dir);
    await rm(join(dir, 'wal', names[1] ?? ''));
    await expect(openWal(dir, opts)).rejects.toMatchObject({ code: 'STORAGE_CORRUPT', message: expect.stringContaining('missing segment 1') });
  });
});
