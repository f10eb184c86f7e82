import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaskingStream, SecretSet } from '../../src/exec/index.js';
import { decodeLogMessage, type CairnEvent, type LogChunk } from '../../src/logs/index.js';
import { logsTopic, zstdDecompress, type FollowStats } from '../../src/logstore/index.js';
import { startCluster, stopCluster, type TestNode } from './cluster.js';
import { collect, range, runPrinter, sha256, tempDir } from './helpers.js';

const MB = 1_000_000;

/** Runs the printer on `owner` as attempt `attempt` of `job`, masking `secrets`; returns the end marker. */
async function runJob(owner: TestNode, job: string, attempt: number, args: Parameters<typeof runPrinter>[0], secrets: string[] = []) {
  const log = await owner.logs.open(job, attempt);
  const set = new SecretSet();
  for (const s of secrets) set.add(s);
  const masker = new MaskingStream(set);
  const outcome = await runPrinter(args, (b) => log.onOutput(masker.push(b)));
  await log.onOutput(masker.flush());
  expect(outcome.exitCode).toBe(0);
  const end = await log.end();
  return { end, file: await readFile(log.file) };
}

describe('logs across three real nodes', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let nodes: TestNode[];
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('follow'));
    nodes = await startCluster(dir, [0, 0, 0]);
  });
  afterAll(async () => {
    await stopCluster(nodes ?? []);
    await cleanup?.();
  });

  it('20 MB of mixed text with invalid UTF-8: followers on both other nodes get byte-identical output', async () => {
    const [a, b, c] = nodes as [TestNode, TestNode, TestNode];
    const stats: FollowStats[] = [];
    const onB = collect(b.logs.follow('big', 1, { owner: a.net.peerId }));
    // C does not know the owner: it learns it from the first gossip message.
    const onC = collect(c.logs.follower.follow('big', 1, { onStats: (s) => stats.push(s) }));
    const { end, file } = await runJob(a, 'big', 1, { bytes: 20 * MB });
    expect(file.length).toBeGreaterThanOrEqual(20 * MB);
    expect(file.includes(Buffer.from([0xff, 0xfe]))).toBe(true);
    expect(end.sha256).toBe(sha256(file));
    for (const got of [await onB, await onC]) {
      expect(got.data.length).toBe(file.length);
      expect(got.data.equals(file)).toBe(true);
      expect(got.seqs).toEqual(range(0, end.seqEnd));
    }
    expect(stats[0]!.gossipChunks).toBeGreaterThan(0);
    // A later, non-following read from another node fetches the same bytes from the owner.
    const again = await collect(b.logs.follow('big', 1, { owner: a.net.peerId, follow: false, fromSeq: 10 }));
    expect(again.seqs[0]).toBe(10);
    expect(again.data.equals(file.subarray(file.length - again.data.length))).toBe(true);
  });

  it('a secret split across a chunk boundary appears nowhere: file, gossip payloads, follower output', async () => {
    const [a, b, c] = nodes as [TestNode, TestNode, TestNode];
    const secret = 'hunter2-S3CR3T-t0ken-5f1e9c';
    const captured: Uint8Array[] = [];
    const unsub = c.net.subscribe(logsTopic, (_from, bytes) => captured.push(bytes));
    const onB = collect(b.logs.follow('secret', 1, { owner: a.net.peerId }));
    const { file } = await runJob(a, 'secret', 1, { bytes: 400_000, secret }, [secret]);
    const got = await onB;
    unsub();
    const needle = Buffer.from(secret);
    const half = Buffer.from(secret.slice(0, Math.ceil(secret.length / 2)));
    expect(file.includes(needle)).toBe(false);
    expect(file.includes(half)).toBe(false);
    expect(file.toString('latin1').split('***').length - 1).toBe(6);
    expect(got.data.equals(file)).toBe(true);
    const chunks: LogChunk[] = [];
    for (const m of captured) {
      expect(Buffer.from(m).includes(needle)).toBe(false);
      const msg = decodeLogMessage(m, zstdDecompress);
      if (msg.kind === 'chunks') chunks.push(...msg.chunks);
    }
    expect(chunks.length).toBeGreaterThan(6);
    for (const ch of chunks) expect(Buffer.from(ch.data).includes(half)).toBe(false);
    const gossiped = Buffer.concat(chunks.sort((x, y) => x.seq - y.seq).map((ch) => ch.data));
    expect(gossiped.includes(needle)).toBe(false);
    // The pause inside the secret cut a chunk right where it was: the mask starts a chunk.
    expect(chunks.some((ch) => Buffer.from(ch.data).subarray(0, 3).toString() === '***')).toBe(true);
  });

  it('the owner serves its own log from its files; a node asked for a log it should own but lacks says NOT_FOUND', async () => {
    const [a] = nodes as [TestNode];
    const own = collect(a.logs.follow('own', 1, { owner: a.net.peerId }));
    const { file } = await runJob(a, 'own', 1, { bytes: 300_000 });
    expect((await own).data.equals(file)).toBe(true);
    await expect(collect(a.logs.follow('missing', 1, { owner: a.net.peerId, follow: false }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('events: job events reach every node, and ::cairn-event lines become custom events', async () => {
    const [a, b, c] = nodes as [TestNode, TestNode, TestNode];
    const onB: CairnEvent[] = [];
    const onC: CairnEvent[] = [];
    const unsubs = [b.logs.events.subscribe((e) => onB.push(e)), c.logs.events.subscribe((e) => onC.push(e))];
    await a.logs.events.publish({ kind: 'job-started', job: 'ev', attempt: 1, node: 'a', timeMs: Date.now() });
    const log = await a.logs.open('ev', 1);
    await log.onOutput(Buffer.from('building\n::cairn-event cover'));
    await log.onOutput(Buffer.from('age::91%\nmore output\n::cairn-event done::ok'));
    await log.end();
    const want = (list: CairnEvent[]) => list.filter((e) => e.kind === 'custom').map((e) => e.kind === 'custom' && [e.name, e.data]);
    const deadline = performance.now() + 10_000;
    while ((want(onB).length < 2 || want(onC).length < 2) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    for (const list of [onB, onC]) {
      expect(list[0]).toMatchObject({ kind: 'job-started', job: 'ev', node: 'a' });
      expect(want(list)).toEqual([
        ['coverage', '91%'],
        ['done', 'ok'],
      ]);
    }
    unsubs.forEach((u) => u());
  });
});

describe('logs with lossy gossip', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let nodes: TestNode[];
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('lossy'));
    // B and C lose 10% of the gossip they receive; D loses all of it.
    nodes = await startCluster(dir, [0, 0.1, 0.1, 1], { seed: Number(process.env['SEED'] ?? 7) });
  });
  afterAll(async () => {
    await stopCluster(nodes ?? []);
    await cleanup?.();
  });

  it('20 MB with 10% of gossip dropped: gap repair makes both followers byte-identical', async () => {
    const [a, b, c] = nodes as [TestNode, TestNode, TestNode];
    const stats: FollowStats[] = [];
    const follows = [b, c].map((n) => collect(n.logs.follower.follow('lossy', 1, { owner: a.net.peerId, onStats: (s) => stats.push(s) })));
    const { end, file } = await runJob(a, 'lossy', 1, { bytes: 20 * MB, seed: 3 });
    for (const f of follows) {
      const got = await f;
      expect(got.data.equals(file)).toBe(true);
      expect(got.seqs).toEqual(range(0, end.seqEnd));
    }
    expect(b.net.stats().gossipDropped + c.net.stats().gossipDropped).toBeGreaterThan(0);
    expect(stats.every((s) => s.repairedChunks > 0 && s.gossipChunks > 0)).toBe(true);
  });

  it('with all gossip lost, a follower still completes from the owner (catch-up, gaps, end probe)', async () => {
    const [a, , , d] = nodes as [TestNode, TestNode, TestNode, TestNode];
    const stats: FollowStats[] = [];
    const onD = collect(d.logs.follower.follow('silent', 1, { owner: a.net.peerId, onStats: (s) => stats.push(s) }));
    const { file } = await runJob(a, 'silent', 1, { bytes: 2 * MB });
    expect((await onD).data.equals(file)).toBe(true);
    expect(stats[0]!.gossipChunks).toBe(0);
  });

  it('a follower whose node dies mid-stream resumes on another node from its last sequence: no gap, no duplicate', async () => {
    const [a, b, c] = nodes as [TestNode, TestNode, TestNode];
    const pauseFile = join(dir, 'continue');
    const job = runJob(a, 'resume', 1, { bytes: 8 * MB, seed: 5, pauseFile, pauseAt: 3 * MB });
    const first: LogChunk[] = [];
    let bytes = 0;
    let failure: unknown;
    try {
      for await (const ch of b.logs.follow('resume', 1, { owner: a.net.peerId })) {
        first.push(ch);
        bytes += ch.data.byteLength;
        // B's node goes away mid-stream, with the job still running (paused at 3 MB).
        if (bytes >= 1 * MB && first.length > 0 && b.net.isConnected(a.net.peerId)) {
          await b.logs.stop();
          await b.net.stop();
        }
      }
    } catch (err) {
      failure = err;
    }
    expect(failure).toMatchObject({ code: 'UNREACHABLE' });
    const last = first[first.length - 1]!.seq;
    expect(first.map((ch) => ch.seq)).toEqual(range(0, last + 1));
    const rest = collect(c.logs.follow('resume', 1, { owner: a.net.peerId, fromSeq: last + 1 }));
    await writeFile(pauseFile, '');
    const { end, file } = await job;
    const second = await rest;
    expect(second.seqs).toEqual(range(last + 1, end.seqEnd - last - 1));
    expect(Buffer.concat([...first.map((ch) => ch.data), second.data]).equals(file)).toBe(true);
  });
});
