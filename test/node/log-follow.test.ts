/**
 * `cairn logs JOB --follow` through a node that does not run the job, on real daemons: the
 * nodes join the log topic only while something on them follows a log, so the follow must
 * still get every line, in order, live and to the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, cli, TestCluster, waitFor, type JobView } from './cluster-harness.js';

const lines = 40;

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await TestCluster.start([{ name: 'a' }, { name: 'b' }, { name: 'c', labels: ['far'] }], 'cairn-log-follow-');
}, 90_000);

afterAll(async () => {
  await cluster?.dispose();
});

describe('cairn logs --follow from another node', () => {
  it('gets every line of a job running elsewhere, live, until it ends', async () => {
    const pipeline = `name: slow\njobs:\n  t:\n    labels: [far]\n    steps:\n      - run: for i in $(seq 1 ${lines}); do echo "line $i"; sleep 0.03; done\n`;
    const sub = await cluster.submit('a', pipeline);
    expect(sub.status).toBe(201);
    const job = sub.body.jobs[0]!;
    await waitFor('the job to start', async () => (await api<JobView>(cluster.node('a').apiUrl, `/v1/jobs/${job}`)).body.state === 'running', 30_000, 20);
    const followed = await cli(['--api', cluster.node('a').apiUrl, 'logs', job, '--follow'], 60_000);
    expect(followed.code).toBe(0);
    const view = (await api<JobView>(cluster.node('a').apiUrl, `/v1/jobs/${job}`)).body;
    expect(view.state).toBe('succeeded');
    expect(view.node).toBe('c');
    const got = followed.stdout.split('\n').filter((l) => /^line \d+$/.test(l));
    expect(got).toEqual(Array.from({ length: lines }, (_, i) => `line ${i + 1}`));
    // The same log read afterwards, without following, from the third node.
    const after = await cli(['--api', cluster.node('b').apiUrl, 'logs', job]);
    expect(after.stdout.split('\n').filter((l) => /^line \d+$/.test(l))).toEqual(got);
  });
});
