/**
 * The output path keeps none of the memory it is handed. The executor reads a step's output
 * into one buffer it reuses batch after batch, and the job log reuses its blocks once they are
 * handed on, so everything downstream (workflow-command scan, masking, the job log, the
 * `::cairn-event` scan, the log writer's digest, index and chunks, the gossip publisher) must
 * copy what it keeps. Here the step's output goes through one buffer that is overwritten
 * after every call: a consumer that kept a view of it would put the overwrite in the log.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretSet } from '../../src/exec/index.js';
import { JobLog, StepOutput } from '../../src/exec/job-log.js';
import type { CairnEvent } from '../../src/logs/index.js';
import { startCluster, stopCluster, type TestNode } from './cluster.js';
import { collect, range, sha256, tempDir, waitFor } from './helpers.js';

const secret = 'ghp_reusedBufferSecret0123456789';
const lateMask = 'late-mask-value-42';
/** Lines of output: ~3 MB, so it spans many pump batches, job-log blocks, chunks and messages. */
const lines = 40_000;
/** The caller's buffer: a prime size, so its pieces fall anywhere in lines, blocks and chunks. */
const pieceBytes = 7919;
/**
 * A value registered by `::add-mask::` is masked from the piece of output that registers it
 * on, that piece's earlier lines included: lines this close to it are not checked for it.
 */
const maskNearLines = 1000;
/** What the overwrite writes: never part of the output. */
const poison = 0xee;

/** The raw output and what the log must hold: secrets masked, `::add-mask::` lines gone. */
function output(): { raw: Buffer; logged: Buffer; events: string[] } {
  const raw: Buffer[] = [];
  const logged: Buffer[] = [];
  const events: string[] = [];
  for (let i = 0; i < lines; i++) {
    let line: string;
    let masked: string;
    if (i === lines / 2) {
      raw.push(Buffer.from(`::add-mask::${lateMask}\n`));
      continue;
    }
    if (i % 97 === 0 && Math.abs(i - lines / 2) > maskNearLines) {
      line = `token ${secret} and ${lateMask}\n`;
      masked = `token *** and ${i > lines / 2 ? '***' : lateMask}\n`;
    } else if (i % 211 === 0) {
      line = masked = `::cairn-event progress::${i}\n`;
      events.push(String(i));
    } else if (i % 13 === 0) {
      // Binary and invalid UTF-8 pass through byte for byte.
      const bin = Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, i & 0xff, 0x0a]);
      raw.push(bin);
      logged.push(bin);
      continue;
    } else {
      line = masked = `line ${i} ${'x'.repeat(i % 120)}\n`;
    }
    raw.push(Buffer.from(line));
    logged.push(Buffer.from(masked));
  }
  return { raw: Buffer.concat(raw), logged: Buffer.concat(logged), events };
}

describe('the output path copies what it keeps', () => {
  let cleanup: () => Promise<void>;
  let nodes: TestNode[];
  beforeAll(async () => {
    let dir: string;
    ({ dir, cleanup } = await tempDir('reused'));
    nodes = await startCluster(dir, [0, 0]);
  });
  afterAll(async () => {
    await stopCluster(nodes ?? []);
    await cleanup?.();
  });

  it('output handed on in one buffer overwritten after every call is byte-identical in the file, digest, local follow, gossip follower and custom events', async () => {
    const [a, b] = nodes as [TestNode, TestNode];
    const { raw, logged, events } = output();
    const custom: string[] = [];
    const unsubscribe = b.logs.events.subscribe((e: CairnEvent) => {
      if (e.kind === 'custom' && e.job === 'reused') custom.push(e.data);
    });
    const log = await a.logs.open('reused', 1, { external: true });
    const onB = collect(b.logs.follow('reused', 1, { owner: a.net.peerId }));
    const secrets = new SecretSet();
    secrets.add(secret);
    const jobLog = JobLog.open(log.file, (bytes) => log.onOutput(bytes));
    const step = new StepOutput(jobLog, secrets);
    const piece = Buffer.alloc(pieceBytes);
    for (let at = 0; at < raw.length; at += pieceBytes) {
      const n = raw.copy(piece, 0, at, at + pieceBytes);
      const wait = step.push(piece.subarray(0, n));
      piece.fill(poison);
      if (wait !== undefined) await wait;
    }
    await step.flush();
    await jobLog.close();
    const end = await log.end();

    const file = await readFile(log.file);
    expect(file.equals(logged)).toBe(true);
    expect(end).toMatchObject({ bytes: logged.length, sha256: sha256(logged) });
    expect((await collect(a.logs.follow('reused', 1, { owner: a.net.peerId }))).data.equals(logged)).toBe(true);
    const got = await onB;
    expect(got.data.equals(logged)).toBe(true);
    expect(got.seqs).toEqual(range(0, end.seqEnd));
    expect(end.seqEnd).toBeGreaterThan(40);
    await waitFor(() => custom.length >= events.length, 'the custom events to arrive');
    expect(custom).toEqual(events);
    unsubscribe();
  });
});
