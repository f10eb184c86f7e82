import { describe, expect, it } from 'vitest';
import { formatClusterSummary, formatError, formatFailure, formatFailureDirect, formatFixed, formatJobStatus, formatNodes, formatWhy } from '../../src/chat/format.js';
import { clampLines, cleanLines, cutToBytes, formatDuration } from '../../src/chat/text.js';
import { toClusterInfo, toJobInfo, toJobRow, toJobRows } from '../../src/chat/views.js';
import { CairnError } from '../../src/util/errors.js';

const failedJob = toJobInfo({
  id: '7.2', name: 'test', state: 'failed', node: 'node-b', labels: ['linux'], reason: null, run: '7', pipeline: 'app',
  attempts: [
    { n: 1, job: '7.2', node: 'node-a', state: 'lost', exitCode: null, startedAt: 1_000, finishedAt: 2_000, reason: 'node-a went down' },
    { n: 2, job: '7.2', node: 'node-b', state: 'failed', exitCode: 2, startedAt: 10_000, finishedAt: 202_000, reason: null },
  ],
  jobs: [{ id: '7.2', name: 'test', state: 'failed', node: 'node-b' }], result: 'failure', submittedAt: 0, finishedAt: 202_000,
});

describe('format', () => {
  it('states a job: id, pipeline/job, state, node, attempt, time and cause', () => {
    expect(formatJobStatus(failedJob)).toEqual(['7.2 app/test: failed on node-b (attempt 2) in 3m 12s — exit code 2']);
  });

  it('states a run with its jobs', () => {
    const run = toJobInfo({ id: '7', name: 'app', state: 'running', node: 'node-b', reason: null, run: '7', pipeline: 'app', attempts: [], jobs: [{ id: '7.1', name: 'build', state: 'succeeded', node: 'node-a' }, { id: '7.2', name: 'test', state: 'running', node: 'node-b' }] });
    expect(formatJobStatus(run)).toEqual(['run 7 app: running', '7.1 build succeeded on node-a, 7.2 test running on node-b']);
  });

  it("explains a wait with the scheduler's reason, and a failure with its cause", () => {
    const queued = toJobInfo({ id: '8.1', name: 'gpu', state: 'queued', node: null, reason: 'no node has gpu (labels: linux, x64)', run: '8', pipeline: 'ml', attempts: [], jobs: [] });
    expect(formatWhy(queued)).toEqual(['8.1 ml/gpu waits: no node has gpu (labels: linux, x64)']);
    expect(formatWhy(failedJob)).toEqual(['7.2 app/test failed: exit code 2 on node-b after 2 attempts', '!logs 7.2 shows the end of its log']);
  });

  it('lists nodes with role, state, load and a bounded label list', () => {
    const info = toClusterInfo({ leader: 'a', term: 4, nodes: [
      { name: 'a', role: 'voter', state: 'up', labels: ['l1', 'l2', 'l3', 'l4', 'l5', 'l6', 'l7', 'l8'], slots: 4, running: 1 },
      { name: 'b', role: 'learner', state: 'down', labels: [], slots: 2, running: 0, reason: 'missed heartbeats' },
      { name: 'c', role: 'voter', state: 'up', labels: ['x'], slots: 2, running: 2, draining: true },
    ] });
    expect(formatNodes(info.nodes, info.leader)).toEqual([
      'a leader up 1/4 slots · l1, l2, l3, l4, l5, l6 +2 more',
      'b learner down (missed heartbeats) 0/2 slots',
      'c voter draining 2/2 slots · x',
    ]);
  });

  it('summarises the cluster and bounds the job list', () => {
    const info = toClusterInfo({ leader: 'a', term: 4, nodes: [{ name: 'a', state: 'up' }, { name: 'b', state: 'down' }] });
    const jobs = toJobRows(Array.from({ length: 9 }, (_, i) => ({ id: `${i}.1`, name: 'build', pipeline: 'ci', state: i < 2 ? 'running' : 'queued', node: i < 2 ? 'a' : null, reason: i < 2 ? null : 'all matching nodes busy' })));
    const lines = formatClusterSummary(info, jobs, 4);
    expect(lines[0]).toBe('leader a (term 4); 1/2 nodes up; 2 running, 7 queued');
    expect(lines).toHaveLength(5);
    expect(lines[3]).toBe('2.1 ci/build queued — all matching nodes busy');
    expect(lines[4]).toBe('… 6 more; !status <job> for one');
    expect(formatClusterSummary(toClusterInfo({ leader: null, nodes: [] }), [], 4)).toEqual(['no leader; 0/0 nodes up; 0 running, 0 queued']);
  });

  it('words notifications with the ids people type next', () => {
    const row = toJobRow({ id: '7.2', name: 'test', pipeline: 'app', state: 'failed', node: 'node-b', reason: 'exit code 2', run: '7' })!;
    expect(formatFailure(row)).toBe('FAILED app/test (7.2) on node-b: exit code 2 — !logs 7.2, !why 7.2');
    expect(formatFailureDirect(row, '#ci')).toBe('your build app/test (7.2) failed on node-b: exit code 2 — !logs 7.2 here or in #ci');
    expect(formatFixed(row)).toBe('FIXED app/test (7.2) succeeded again');
  });

  it('turns operating errors into short advice', () => {
    expect(formatError(new CairnError('UNREACHABLE', 'cannot reach http://x'))).toBe('the cluster cannot be reached right now; try again shortly');
    expect(formatError(new CairnError('UNPLACEABLE', 'no node could ever run it'))).toBe('no node could ever run it [UNPLACEABLE]');
    expect(formatError(new Error('boom'))).toBe('internal error (logged)');
  });

  it('reads views defensively', () => {
    expect(toJobRow({})).toBeNull();
    expect(toJobRow({ id: 3, state: 7 })).toMatchObject({ id: '3', run: '3', state: '7', node: null, authorEmail: null });
    expect(toJobRow({ id: '3.1', source: { authorEmail: 'a@b' } })?.authorEmail).toBe('a@b');
    expect(toClusterInfo(null)).toEqual({ leader: null, term: 0, nodes: [] });
  });
});

describe('text', () => {
  it('keeps what a progress bar drew last and strips terminal colours', () => {
    expect(cleanLines('10%\r50%\r100%\r\n\x1b[1;32mok\x1b[0m\tdone\r')).toEqual(['100%', 'ok  done']);
  });
  it('cuts on code points, never inside one', () => {
    expect(cutToBytes('abc', 3)).toBe('abc');
    expect(cutToBytes('abcdef', 5)).toBe('ab…');
    expect(cutToBytes('€€€', 7)).toBe('€…');
    expect(cutToBytes('😀😀', 7)).toBe('😀…');
    expect(cutToBytes('😀😀', 6)).toBe('…');
  });
  it('clamps long output with a count of what was left out', () => {
    expect(clampLines(['a', 'b', 'c'], 3)).toEqual(['a', 'b', 'c']);
    expect(clampLines(['a', 'b', 'c', 'd'], 3)).toEqual(['a', 'b', '… 2 more lines']);
    expect(clampLines(['a', 'b'], 1)).toEqual(['… 2 more lines']);
  });
  it('formats durations for people', () => {
    expect([formatDuration(400), formatDuration(59_400), formatDuration(61_000), formatDuration(7_500_000)]).toEqual(['0s', '59s', '1m 1s', '2h 5m']);
  });
});
