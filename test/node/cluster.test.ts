/**
 * A 3-node cluster of real `cairn node` processes on loopback: it forms, runs 30 labelled jobs
 * each exactly once on a matching node, refuses an unplaceable job (exit 2) and a node with
 * another cluster key, keeps every node's history HEAD identical, and drains on SIGTERM.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/api/index.js';
import { api, jobEnded, cli, TestCluster, waitFor, withinMs, type ClusterView, type JobView } from './cluster-harness.js';

const labelsOf = { a: 'a', b: 'b', c: 'c' } as const;
let cluster: TestCluster;
let markers: string;

beforeAll(async () => {
  cluster = await TestCluster.start(Object.entries(labelsOf).map(([name, label]) => ({ name, labels: [label], slots: 2 })));
  markers = join(cluster.dir, 'markers');
  mkdirSync(markers);
}, 90_000);

afterAll(async () => {
  await cluster?.dispose();
});

/** A pipeline of `n` jobs `j00…`, job i requiring label a, b or c in turn; each appends its workspace path to a marker. */
function labelledPipeline(n: number): string {
  const names = Object.values(labelsOf);
  const jobs = Array.from({ length: n }, (_, i) => {
    const id = `j${String(i).padStart(2, '0')}`;
    return `  ${id}:\n    labels: [${names[i % names.length]}]\n    steps:\n      - run: echo "$PWD" >> "${markers}/${id}"\n`;
  });
  return `name: labelled\njobs:\n${jobs.join('')}`;
}

describe('a 3-node cluster on loopback', () => {
  it('forms and elects one leader that every node agrees on', async () => {
    const views = await Promise.all(cluster.live().map(async (n) => (await api<ClusterView>(n.apiUrl, '/v1/cluster')).body));
    const leader = views[0]!.leader;
    expect(leader).not.toBeNull();
    for (const v of views) {
      expect(v.leader).toBe(leader);
      expect(v.term).toBeGreaterThan(0);
      expect(v.nodes.map((n) => n.name).sort()).toEqual(['a', 'b', 'c']);
      expect(v.nodes.every((n) => n.state === 'up')).toBe(true);
      expect(v.nodes.filter((n) => n.role === 'leader').map((n) => n.name)).toEqual([leader]);
      expect(v.nodes.filter((n) => n.role === 'voter')).toHaveLength(2);
    }
    const health = await api<{ role: string }>(cluster.node(leader!).apiUrl, '/healthz');
    expect(health.body.role).toBe('leader');
  });

  it('runs 30 labelled jobs each exactly once, on a node whose labels match', async () => {
    // Submit through a follower: the write is forwarded to the leader.
    const leader = await cluster.leader();
    const via = Object.keys(labelsOf).find((n) => n !== leader)!;
    const sub = await cluster.submit(via, labelledPipeline(30), 'labelled.yml');
    expect(sub.status).toBe(201);
    expect(sub.body.jobs).toHaveLength(30);
    const run = await jobEnded(cluster.node(via).apiUrl, sub.body.id, 90_000);
    expect(run.state).toBe('succeeded');
    const perNode: Record<string, number> = {};
    for (const j of run.jobs) {
      const view = (await api<JobView>(cluster.node('a').apiUrl, `/v1/jobs/${j.id}`)).body;
      const label = view.labels[0]!;
      expect(view.state).toBe('succeeded');
      expect(view.attempts).toHaveLength(1);
      expect(view.node).toBe(label); // node a carries label a, and so on
      expect(view.attempts[0]!.node).toBe(label);
      // The step itself says where it ran: its workspace is inside the node's data dir.
      const lines = readFileSync(join(markers, view.name), 'utf8').trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]!.startsWith(join(cluster.node(label).dataDir, 'work') + '/')).toBe(true);
      perNode[label] = (perNode[label] ?? 0) + 1;
    }
    expect(readdirSync(markers)).toHaveLength(30);
    expect(perNode).toEqual({ a: 10, b: 10, c: 10 });
  });

  it('refuses an unplaceable job at submit with exit 2 and the labels that exist', async () => {
    const file = join(cluster.dir, 'gpu.yml');
    writeFileSync(file, 'name: gpu\njobs:\n  train:\n    labels: [gpu]\n    steps:\n      - run: "true"\n');
    const r = await cli(['--api', cluster.node('b').apiUrl, 'submit', file, '--wait']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/gpu/);
    expect(r.stderr).toMatch(/labels that exist: .*\ba\b.*\bb\b.*\bc\b/s);
    const js = await cli(['--api', cluster.node('c').apiUrl, '--json', 'submit', file]);
    expect(js.code).toBe(2);
    const err = JSON.parse(js.stdout) as { error: { code: string; data: { labelsThatExist: string[] } } };
    expect(err.error.code).toBe('UNPLACEABLE');
    expect(err.error.data.labelsThatExist).toEqual(expect.arrayContaining(['a', 'b', 'c', 'linux']));
    // Nothing was queued.
    const jobs = (await api<Array<{ pipeline: string }>>(cluster.node('a').apiUrl, '/v1/jobs')).body;
    expect(jobs.some((j) => j.pipeline === 'gpu')).toBe(false);
  });

  it('refuses a node that holds another cluster key: it never joins', async () => {
    const badKey = join(cluster.dir, 'other.key');
    const kg = await cli(['keygen', '--out', badKey]);
    expect(kg.code).toBe(0);
    const x = await cluster.startNode({ name: 'x', clusterKey: badKey });
    try {
      // The pre-shared key check fails on both sides; the joiner keeps retrying and keeps failing.
      const refusals = () => x.logs().filter((l) => /cluster key differs/.test(String(l.msg)));
      await waitFor('the wrong-key node to be refused twice', () => refusals().length >= 2, 30_000, 100);
      const founders = ['a', 'b', 'c'].map((n) => cluster.node(n).logs()).flat();
      expect(founders.some((l) => /cluster key differs/.test(String(l.msg)))).toBe(true);
      for (const n of ['a', 'b', 'c']) {
        const v = (await api<ClusterView>(cluster.node(n).apiUrl, '/v1/cluster')).body;
        expect(v.nodes.map((m) => m.name).sort()).toEqual(['a', 'b', 'c']);
      }
      const own = (await api<ClusterView>(x.apiUrl, '/v1/cluster')).body;
      expect(own.leader).toBeNull();
      expect(own.nodes).toEqual([]);
    } finally {
      x.kill('SIGKILL');
      await x.exited;
    }
  });

  it('keeps every node\'s history HEAD identical after the same committed point', async () => {
    const head = await cluster.sameHead();
    // The commit subject starts with the log index it was made at: the same on every node.
    expect(head.subject).toMatch(/^\d+: /);
    const histories = await Promise.all(['a', 'b', 'c'].map(async (n) => (await api<Array<{ jobId: string; node: string }>>(cluster.node(n).apiUrl, '/v1/history?limit=100')).body));
    expect(histories[0]!.length).toBeGreaterThanOrEqual(30);
    expect(histories[1]).toEqual(histories[0]);
    expect(histories[2]).toEqual(histories[0]);
  });

  it('streams the cluster\'s events from any node: a job queued, started and finished', async () => {
    const leader = await cluster.leader();
    const via = Object.keys(labelsOf).find((n) => n !== leader)!;
    const ac = new AbortController();
    const seen: Array<Record<string, unknown>> = [];
    const stream = new ApiClient({ url: cluster.node(via).apiUrl }).events(ac.signal);
    const first = await stream.next();
    expect(first.value).toEqual({ kind: 'subscribed' });
    const sub = await cluster.submit(via, 'name: evented\njobs:\n  e:\n    labels: [b]\n    steps:\n      - run: echo hi\n');
    const job = sub.body.id;
    const timer = setTimeout(() => ac.abort(), 15_000);
    try {
      for await (const e of stream) {
        seen.push(e);
        if (e.job === job && e.kind === 'job-finished') break;
      }
    } finally {
      clearTimeout(timer);
      ac.abort();
    }
    const kinds = seen.filter((e) => e.job === job).map((e) => e.kind);
    expect(kinds).toEqual(['job-queued', 'job-started', 'job-finished']);
    expect(seen.find((e) => e.kind === 'job-started' && e.job === job)?.node).toBe('b');
  });

  it('drains on SIGTERM: the running job finishes, no new job lands there, leadership moves, exit 0', async () => {
    const leader = (await cluster.leader())!;
    const node = cluster.node(leader);
    const other = Object.keys(labelsOf).find((n) => n !== leader)!;
    const sub = await cluster.submit(other, `name: long\njobs:\n  long:\n    labels: [${leader}]\n    steps:\n      - run: sleep 2 && echo done > "${markers}/drained"\n`);
    expect(sub.status).toBe(201);
    await waitFor('the job to run on the leader', async () => (await api<JobView>(cluster.node(other).apiUrl, `/v1/jobs/${sub.body.id}`)).body.state === 'running', 20_000);
    node.kill('SIGTERM');
    await waitFor('the node to be marked draining', async () => {
      const v = (await api<ClusterView>(cluster.node(other).apiUrl, '/v1/cluster')).body;
      return v.nodes.find((n) => n.name === leader)?.draining === true;
    }, 10_000);
    // Work for the draining node waits instead of landing there.
    const late = await cluster.submit(other, `name: late\njobs:\n  late:\n    labels: [${leader}]\n    steps:\n      - run: "true"\n`);
    expect(late.status).toBe(201);
    const exit = await withinMs(node.exited, 30_000);
    expect(exit).toEqual({ code: 0, signal: null });
    const job = (await api<JobView>(cluster.node(other).apiUrl, `/v1/jobs/${sub.body.id}`)).body;
    expect(job.state).toBe('succeeded');
    expect(job.attempts.map((a) => [a.node, a.state])).toEqual([[leader, 'succeeded']]);
    expect(readFileSync(join(markers, 'drained'), 'utf8')).toBe('done\n');
    const lateView = (await api<JobView>(cluster.node(other).apiUrl, `/v1/jobs/${late.body.id}`)).body;
    expect(lateView.attempts).toEqual([]);
    // It handed leadership over before it left: it stepped down while still running, and the
    // new leader campaigned at once on its word (a transfer skips the pre-vote that an election
    // after a crash or a timeout goes through).
    const logs = node.logs();
    const drainAt = logs.findIndex((l) => String(l.msg).startsWith('draining'));
    const stoppedAt = logs.findIndex((l) => l.msg === 'node stopped');
    const stepDown = logs.findIndex((l, i) => i > drainAt && l.msg === 'raft role' && l.role === 'follower');
    expect(drainAt).toBeGreaterThanOrEqual(0);
    expect(stepDown).toBeGreaterThan(drainAt);
    expect(stepDown).toBeLessThan(stoppedAt);
    const newLeader = await waitFor('the survivors to agree on a new leader', async () => {
      const ls = await Promise.all(cluster.live().map((n) => cluster.leader(n.name)));
      return ls.every((l) => l !== null && l !== leader && l === ls[0]) ? ls[0] : null;
    }, 5_000);
    const since = logs[drainAt]!.time as number;
    const roles = cluster.node(newLeader!).logs().filter((l) => l.msg === 'raft role' && (l.time as number) >= since).map((l) => l.role);
    expect(roles.slice(0, 2)).toEqual(['candidate', 'leader']);
    expect(cluster.live().map((n) => n.name)).toContain(newLeader);
  });
});
