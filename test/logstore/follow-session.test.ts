import { describe, expect, it } from 'vitest';
import { ChunkBatcher, type LogChunk, type LogEnd, type RangeReply, type RangeRequest } from '../../src/logs/index.js';
import { FollowSession, defaultFollowTiming, type FollowTiming } from '../../src/logstore/follow-session.js';
import { CairnError } from '../../src/util/errors.js';
import { collect, range, sha256 } from './helpers.js';

const timing: FollowTiming = { ...defaultFollowTiming, gapRepairDelayMs: 5, followerProbeMs: 10, followerProbeMaxMs: 20, repairBackoffMinMs: 1, repairBackoffMaxMs: 5, repairFailuresMax: 3 };
const owner = 'owner-peer';

/** An attempt's chunks and end marker, as the owner would have them. */
function attempt(bytes: number, chunk = 100): { chunks: LogChunk[]; end: LogEnd; data: Buffer } {
  const data = Buffer.from(Array.from({ length: bytes }, (_, i) => (i * 7) & 0xff));
  const b = new ChunkBatcher({ job: 'j', attempt: 1, chunkBytesMax: chunk });
  const chunks = [...b.push(data, 0), ...b.flush()];
  return { chunks, data, end: { job: 'j', attempt: 1, seqEnd: chunks.length, bytes, sha256: sha256(data), timeMs: 0 } };
}

/** The owner's side of `log-range`, over an in-memory attempt; `fail` makes requests throw. */
function serve(a: { chunks: LogChunk[]; end: LogEnd }, opts: { tip?: () => number; ended?: () => boolean; fail?: () => boolean } = {}) {
  const requests: RangeRequest[] = [];
  const request = async (peer: string, req: RangeRequest): Promise<RangeReply> => {
    requests.push(req);
    expect(peer).toBe(owner);
    if (opts.fail?.()) throw new CairnError('UNREACHABLE', 'owner gone');
    const tip = opts.tip?.() ?? a.chunks.length;
    const chunks = a.chunks.slice(req.fromSeq, Math.min(req.toSeq, tip, req.fromSeq + 5));
    return { job: 'j', attempt: 1, chunks, tipSeq: tip, end: (opts.ended?.() ?? true) ? a.end : null };
  };
  return { request, requests };
}

describe('FollowSession', () => {
  it('catches up from the owner alone, from any sequence, and verifies the digest', async () => {
    const a = attempt(2000);
    const { request } = serve(a);
    const all = await collect(new FollowSession('j', 1, 0, owner, { request, timing }).run());
    expect(all.data.equals(a.data)).toBe(true);
    const late = await collect(new FollowSession('j', 1, 7, owner, { request, timing }).run());
    expect(late.seqs).toEqual(range(7, a.chunks.length - 7));
  });

  it('mixes gossip and repair: gaps are fetched, duplicates dropped, other peers ignored', async () => {
    const a = attempt(3000);
    let tip = 0;
    let ended = false;
    const { request, requests } = serve(a, { tip: () => tip, ended: () => ended });
    const s = new FollowSession('j', 1, 0, owner, { request, timing });
    const out = collect(s.run());
    // Gossip brings every third chunk twice, and a forged chunk from another peer.
    for (const c of a.chunks) {
      tip = c.seq + 1;
      if (c.seq % 3 === 0) {
        s.onChunks(owner, [c]);
        s.onChunks(owner, [c]);
      }
      s.onChunks('intruder', [{ ...c, data: new Uint8Array(c.data.byteLength) }]);
      await new Promise((r) => setImmediate(r));
    }
    ended = true;
    s.onEnd(owner, a.end);
    const got = await out;
    expect(got.data.equals(a.data)).toBe(true);
    expect(got.seqs).toEqual(range(0, a.chunks.length));
    expect(requests.length).toBeGreaterThan(0);
  });

  it('refuses a copy that does not match the end marker', async () => {
    const a = attempt(500);
    const { request } = serve({ ...a, end: { ...a.end, sha256: '0'.repeat(64) } });
    await expect(collect(new FollowSession('j', 1, 0, owner, { request, timing }).run())).rejects.toMatchObject({ code: 'STORAGE_CORRUPT' });
    const { request: r2 } = serve({ ...a, end: { ...a.end, bytes: 499 } });
    await expect(collect(new FollowSession('j', 1, 2, owner, { request: r2, timing }).run())).rejects.toMatchObject({ code: 'STORAGE_CORRUPT' });
  });

  it('gives up with the owner error after repairFailuresMax failed requests', async () => {
    const a = attempt(500);
    const { request, requests } = serve(a, { fail: () => true });
    await expect(collect(new FollowSession('j', 1, 0, owner, { request, timing }).run())).rejects.toMatchObject({ code: 'UNREACHABLE' });
    expect(requests.length).toBe(timing.repairFailuresMax);
  });

  it('ends quietly when closed, and holds at most followQueueBytesMax for a slow reader', async () => {
    const a = attempt(20_000);
    const { request } = serve(a);
    const s = new FollowSession('j', 1, 0, owner, { request, timing: { ...timing, followQueueBytesMax: 1000 } });
    const it = s.run();
    const first = await it.next();
    expect(first.done).toBe(false);
    // The repair loop stops fetching once ~1000 bytes wait for the reader.
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    const rest = await collect(it);
    expect(Buffer.concat([Buffer.from((first.value as LogChunk).data), rest.data]).equals(a.data)).toBe(true);
    const s2 = new FollowSession('j', 1, 0, owner, { request: () => new Promise(() => {}), timing });
    const pending = collect(s2.run());
    s2.close();
    expect((await pending).seqs).toEqual([]);
  });
});
