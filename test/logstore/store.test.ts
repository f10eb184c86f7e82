import { fstatSync } from 'node:fs';
import { readFile, readdir, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { decompress } from 'zstd-napi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogStore, compressLog, defaultRetention, sweepLogs, type LogSink } from '../../src/logstore/index.js';
import { chunkBytesMax, decodeIndexRecords, type LogChunk, type LogEnd } from '../../src/logs/index.js';
import { CairnError } from '../../src/util/errors.js';
import { JobLog } from '../../src/exec/job-log.js';
import { collect, range, runPrinter, sha256, tempDir } from './helpers.js';

describe('log store on one node', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await tempDir('store')));
  afterAll(async () => cleanup?.());

  it('writes a process output as the record: raw file, index, end marker with digest; sinks see every chunk', async () => {
    const store = new LogStore({ root: join(dir, 'a') });
    const seen: LogChunk[] = [];
    let ended: LogEnd | undefined;
    const sink: LogSink = { chunks: (cs) => seen.push(...cs.map((c) => ({ ...c, data: new Uint8Array(c.data) }))), end: (e) => (ended = e) };
    const writer = await store.open('job-1', 1, { sinks: [sink] });
    const printed: Buffer[] = [];
    const outcome = await runPrinter({ bytes: 2_000_000 }, (b) => {
      printed.push(Buffer.from(b));
      return writer.write(b);
    });
    expect(outcome.exitCode).toBe(0);
    const end = await writer.end();
    expect(await writer.end()).toEqual(end);
    const file = await readFile(writer.file);
    expect(file.equals(Buffer.concat(printed))).toBe(true);
    expect(end).toMatchObject({ job: 'job-1', attempt: 1, bytes: file.length, seqEnd: seen.length, sha256: sha256(file) });
    expect(ended).toEqual(end);
    expect(Buffer.concat(seen.map((c) => c.data)).equals(file)).toBe(true);
    expect(seen.every((c) => c.data.byteLength <= chunkBytesMax)).toBe(true);
    const idx = decodeIndexRecords(await readFile(writer.paths.idx), 0);
    expect(idx.map((r) => r.offset)).toEqual(seen.map((c) => c.offset));
    expect(JSON.parse(await readFile(writer.paths.end, 'utf8'))).toEqual(end);
    expect(store.live('job-1', 1)).toBeUndefined();
    // A finished attempt cannot be reopened.
    await expect(store.open('job-1', 1)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('cuts a chunk by time when output pauses, with its timestamp', async () => {
    let now = 1_000;
    const store = new LogStore({ root: join(dir, 'b'), now: () => now });
    const writer = await store.open('job-2', 1, { chunkFlushMs: 20 });
    await writer.write(Buffer.from('first line\n'));
    now = 1_005;
    await writer.write(Buffer.from('second\n'));
    expect(writer.tipSeq).toBe(0);
    // The flush timer fires on the wall clock; wait for the chunk rather than sleeping.
    now = 2_000;
    for (let i = 0; i < 200 && writer.tipSeq === 0; i++) await Promise.race([writer.changed(), new Promise((r) => setTimeout(r, 50))]);
    expect(writer.records).toEqual([{ offset: 0, length: 18, timeMs: 1_000 }]);
    await writer.end();
  });

  it('serves any range and follows a live log from any sequence, ending after its last chunk', async () => {
    const store = new LogStore({ root: join(dir, 'c') });
    const writer = await store.open('job-3', 2, { chunkBytesMax: 1000 });
    const follower = collect(store.follow('job-3', 2, { fromSeq: 0 }));
    const lateStart = collect(store.follow('job-3', 2, { fromSeq: 5 }));
    for (let i = 0; i < 100; i++) await writer.write(Buffer.from(`line ${i} `.repeat(20) + '\n'));
    const end = await writer.end();
    const file = await readFile(writer.file);
    const all = await follower;
    expect(all.data.equals(file)).toBe(true);
    expect(all.seqs).toEqual(range(0, end.seqEnd));
    const late = await lateStart;
    expect(late.seqs).toEqual(range(5, end.seqEnd - 5));
    expect(late.data.equals(file.subarray(5000))).toBe(true);
    const r = await store.readRange({ job: 'job-3', attempt: 2, fromSeq: 3, toSeq: 7, rawBytesMax: 2500 });
    expect(r.chunks.map((c) => c.seq)).toEqual([3, 4]);
    expect(Buffer.from(r.chunks[0]!.data).equals(file.subarray(3000, 4000))).toBe(true);
    expect(r.tipSeq).toBe(end.seqEnd);
    expect(r.end).toEqual(end);
    await expect(store.readRange({ job: 'nope', attempt: 1, fromSeq: 0, toSeq: 1, rawBytesMax: 10 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(() => store.paths('../etc', 1)).toThrow(CairnError);
  });

  it('waits for an attempt to open its log, with a bound', async () => {
    const store = new LogStore({ root: join(dir, 'w') });
    expect(await store.waitFor('later', 1, 30)).toBe(false);
    const waiting = store.waitFor('later', 1, 10_000);
    const w = await store.open('later', 1);
    expect(await waiting).toBe(true);
    await w.end();
  });

  it('external mode: the executor writes the file, the writer indexes, digests and publishes', async () => {
    const store = new LogStore({ root: join(dir, 'd') });
    const writer = await store.open('job-4', 1, { external: true, chunkBytesMax: 100 });
    const { appendFile } = await import('node:fs/promises');
    for (let i = 0; i < 10; i++) {
      const b = Buffer.from(`external ${i}\n`.repeat(9));
      await appendFile(writer.file, b); // what the executor's JobLog does before onOutput
      await writer.write(b);
    }
    const end = await writer.end();
    const file = await readFile(writer.file);
    expect(end.sha256).toBe(sha256(file));
    expect((await collect(store.follow('job-4', 1))).data.equals(file)).toBe(true);
  });

  it('external mode: the executor writes through the writer\'s own descriptor (one open of the file); end() syncs and closes it; a later attempt opens beside a finished one', async () => {
    const store = new LogStore({ root: join(dir, 'x') });
    const writer = await store.open('job-6', 1, { external: true });
    const jobLog = JobLog.attach(writer.file, writer.fd, (b) => writer.append(b));
    const lines = Array.from({ length: 50 }, (_, i) => `line ${i}\n`);
    for (const l of lines) await jobLog.write(Buffer.from(l));
    await jobLog.close();
    // The executor is done and the file is still open: the writer makes it durable.
    expect(fstatSync(writer.fd).size).toBe(Buffer.byteLength(lines.join('')));
    const end = await writer.end();
    expect(await readFile(writer.file, 'utf8')).toBe(lines.join(''));
    expect(end).toMatchObject({ bytes: Buffer.byteLength(lines.join('')), sha256: sha256(Buffer.from(lines.join(''))) });
    expect(JSON.parse(await readFile(writer.paths.end, 'utf8'))).toEqual(end);
    expect((await readdir(join(dir, 'x', 'job-6'))).sort()).toEqual(['1.end', '1.idx', '1.log']);
    // Attempt 2 of the same job on this node: its directory exists, attempt 1's marker does not stop it.
    const second = await store.open('job-6', 2, { external: true });
    await second.end();
    expect((await readdir(join(dir, 'x', 'job-6'))).sort()).toEqual(['1.end', '1.idx', '1.log', '2.end', '2.idx', '2.log']);
    await expect(store.open('job-6', 2)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('external mode: small writes are joined into chunks of up to chunkBytesMax, from input that is reused after each call; the index reaches the file by end()', async () => {
    const store = new LogStore({ root: join(dir, 'j') });
    const writer = await store.open('job-5', 1, { external: true, chunkBytesMax: 4096 });
    const seen: LogChunk[] = [];
    // Chunk data is valid only during the sink's call: a sink that keeps it copies it.
    writer.addSink({ chunks: (cs) => seen.push(...cs.map((c) => ({ ...c, data: new Uint8Array(c.data) }))), end: () => undefined });
    const { appendFile } = await import('node:fs/promises');
    // 40 writes of 300 bytes, as a job log hands on lines, all through one buffer that the
    // caller overwrites after each call (as the executor reuses its output memory).
    const writes = Array.from({ length: 40 }, (_, i) => Buffer.from(`${String(i).padStart(3, '0')} `.repeat(75)));
    const all = Buffer.concat(writes);
    await appendFile(writer.file, all);
    const reused = Buffer.alloc(300);
    for (const w of writes) {
      w.copy(reused);
      expect(writer.append(reused)).toBeUndefined();
      reused.fill(0xee);
    }
    const end = await writer.end();
    // 12,000 bytes in chunks of 4,096 (not one per write, nor one per turn), then the rest at the end.
    expect(seen.map((c) => c.data.byteLength)).toEqual([4096, 4096, 3808]);
    expect(Buffer.concat(seen.map((c) => c.data)).equals(all)).toBe(true);
    expect(end).toMatchObject({ seqEnd: seen.length, bytes: all.length, sha256: sha256(all) });
    expect(decodeIndexRecords(await readFile(writer.paths.idx), 0)).toEqual(seen.map((c) => ({ offset: c.offset, length: c.data.byteLength, timeMs: c.timeMs })));
  });

  it('retention: compresses finished logs (seekable zstd), reads ranges from them, prunes by age and by size', async () => {
    const root = join(dir, 'e');
    const store = new LogStore({ root });
    const ends: LogEnd[] = [];
    for (const job of ['old', 'mid', 'new']) {
      const w = await store.open(job, 1, { chunkBytesMax: 4096 });
      await runPrinter({ bytes: 3_000_000, seed: job.length }, (b) => w.write(b));
      ends.push(await w.end());
    }
    const running = await store.open('running', 1);
    await running.write(Buffer.from('still going\n'));
    const before = await readFile(store.paths('mid', 1).log);

    const t0 = ends[2]!.timeMs;
    const r1 = await sweepLogs(store, defaultRetention, t0 + 1000);
    expect(r1.compressed.sort()).toEqual(['mid/1', 'new/1', 'old/1']);
    expect(r1.pruned).toEqual([]);
    const p = store.paths('mid', 1);
    await expect(stat(p.log)).rejects.toMatchObject({ code: 'ENOENT' });
    const zst = await readFile(p.zst);
    expect(zst.length * 3).toBeLessThan(before.length);
    // Any zstd reader gets the log back (the seek table is a skippable frame).
    expect(Buffer.from(decompress(zst)).equals(before)).toBe(true);
    // Ranges and follows read the compressed file, across frame boundaries.
    expect((await collect(store.follow('mid', 1, { fromSeq: 0 }))).data.equals(before)).toBe(true);
    const mid = await store.readRange({ job: 'mid', attempt: 1, fromSeq: 250, toSeq: 260, rawBytesMax: 1 << 20 });
    const last = mid.chunks[mid.chunks.length - 1]!;
    expect(mid.chunks.map((c) => c.seq)).toEqual(range(250, 10));
    expect(Buffer.concat(mid.chunks.map((c) => c.data)).equals(before.subarray(mid.chunks[0]!.offset, last.offset + last.data.byteLength))).toBe(true);
    expect(await compressLog(p, ends[1]!)).toBe(false);

    // Age: "old" ended first; make it older than the limit.
    const { timeMs: oldEnd } = ends[0]!;
    const r2 = await sweepLogs(store, { ...defaultRetention, maxAgeMs: t0 + 500 - oldEnd - 1 }, t0 + 500);
    expect(r2.pruned).toContain('old/1');
    expect(await readdir(root)).not.toContain('old');
    // Size: a budget that fits one compressed log keeps the newest (and the running one).
    const newSize = (await stat(store.paths('new', 1).zst)).size;
    const r3 = await sweepLogs(store, { ...defaultRetention, totalBytesMax: newSize + 64 * 1024 }, t0 + 1000);
    expect(r3.pruned).toEqual(['mid/1']);
    expect((await readdir(root)).sort()).toEqual(['new', 'running']);
    expect(r3.totalBytes).toBeLessThanOrEqual(newSize + 64 * 1024);
    await running.end();
  });

  it('retention ages an attempt that never ended by its files, and refuses a raw file that does not match its digest', async () => {
    const root = join(dir, 'f');
    const store = new LogStore({ root });
    const w = await store.open('crashed', 3);
    await w.write(Buffer.from('half a build\n'));
    await w.close();
    const past = new Date(Date.now() - 40 * 24 * 3600 * 1000);
    for (const f of [w.paths.log, w.paths.idx]) await utimes(f, past, past);
    const r = await sweepLogs(store, defaultRetention, Date.now());
    expect(r.pruned).toEqual(['crashed/3']);

    const w2 = await store.open('tampered', 1);
    await w2.write(Buffer.from('original\n'));
    const end = await w2.end();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(w2.paths.log, 'changed!!\n');
    await expect(compressLog(w2.paths, end)).rejects.toMatchObject({ code: 'STORAGE_CORRUPT' });
    expect((await readFile(w2.paths.log, 'utf8'))).toBe('changed!!\n');
  });
});
