/**
 * Log compaction with real `cairn node` processes: with a snapshot every 30 entries, a busy
 * cluster snapshots and drops its log; a node killed -9 comes back from its snapshot plus the
 * entries after it; a node that joins afterwards gets the leader's snapshot (the entries it
 * would need are gone) and ends up with the same jobs and the same history HEAD.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, TestCluster, waitFor, type JobView } from './cluster-harness.js';

const snapshotEvery = 30;
const jobs = 40;
const env = { CAIRN_SNAPSHOT_ENTRIES: String(snapshotEvery) };
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await TestCluster.start(['a', 'b', 'c'].map((name) => ({ name, slots: 3, env })));
}, 90_000);

afterAll(async () => {
  await cluster?.dispose();
});

type Row = { id: string; state: string };

async function rows(via: string): Promise<Row[]> {
  return (await api<Row[]>(cluster.node(via).apiUrl, '/v1/jobs')).body;
}

const snapshotsLogged = (name: string): Array<Record<string, any>> => cluster.node(name).logs().filter((l) => l.msg === 'snapshot taken, log compacted');

describe('log compaction', () => {
  it('snapshots and compacts under load; a restarted node and a late joiner recover the same state', async () => {
    const ids: string[] = [];
    for (let i = 0; i < jobs; i++) {
      const r = await cluster.submit(['a', 'b', 'c'][i % 3]!, `name: c${i}\njobs:\n  j:\n    steps:\n      - run: "true"\n`);
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    await waitFor('every job to succeed', async () => {
      const all = await rows('a');
      return ids.every((id) => all.find((r) => r.id === id)?.state === 'succeeded');
    }, 60_000, 100);
    // Every node compacted its own log at least once.
    for (const name of ['a', 'b', 'c']) {
      const snaps = await waitFor(`${name} to log a snapshot`, () => (snapshotsLogged(name).length > 0 ? snapshotsLogged(name) : null), 10_000);
      expect(snaps.at(-1)!.index).toBeGreaterThanOrEqual(snapshotEvery);
      expect(snaps.some((s) => s.compactedTo > 0)).toBe(true);
      expect(readdirSync(join(cluster.node(name).dataDir, 'raft', 'snap')).length).toBeGreaterThan(0);
    }
    const head = await cluster.sameHead();

    // kill -9 and restart: the node rebuilds from its snapshot and the entries after it.
    const c = cluster.node('c');
    c.kill('SIGKILL');
    await c.exited;
    await cluster.startNode(c.spec);
    await cluster.waitFormed(['a', 'b', 'c']);
    const after = await rows('c');
    for (const id of ids) expect(after.find((r) => r.id === id)?.state, id).toBe('succeeded');
    expect((await cluster.sameHead()).hash).not.toBe('');

    // A node joining now needs entries the others dropped: it is sent a snapshot.
    await cluster.startNode({ name: 'd', slots: 1, env });
    await cluster.waitFormed(['a', 'b', 'c', 'd']);
    const late = await waitFor('d to know every job', async () => {
      const r = await rows('d');
      return ids.every((id) => r.find((x) => x.id === id)?.state === 'succeeded') ? r : null;
    }, 30_000);
    expect(late.length).toBeGreaterThanOrEqual(jobs);
    expect(cluster.node('d').logs().some((l) => l.msg === 'snapshot received from the leader' && l.index >= snapshotEvery)).toBe(true);
    const now = await cluster.sameHead(20_000);
    expect(now.subject.length).toBeGreaterThan(0);
    // d's history came with the snapshot: it has the commits from before it joined.
    const job = (await api<JobView>(cluster.node('d').apiUrl, `/v1/jobs/${ids[0]}`)).body;
    expect(job.state).toBe('succeeded');
    const history = (await api<Array<{ jobId: string }>>(cluster.node('d').apiUrl, '/v1/history?limit=1000')).body;
    expect(history.map((h) => h.jobId)).toEqual(expect.arrayContaining(ids));
    expect(head.hash.length).toBe(40);
  }, 150_000);
});
