import { describe, expect, it } from 'vitest';
import { createPollingEventSource, diffSnapshots, parseCluster, parseJobRow, parseJobStatus, type ClusterSnapshot, type ReplEvent } from '../../src/repl-client/index.js';

const node = (name: string, state = 'up') => ({ name, id: `p-${name}`, labels: ['os=linux'], state, role: 'voter', slots: 2, running: 0 });
const snap = (leader: string | null, term: number, nodes: unknown[], jobs: unknown[]): ClusterSnapshot => ({
  cluster: parseCluster({ leader, term, nodes }),
  jobs: jobs.map(parseJobRow),
});

describe('diffSnapshots', () => {
  it('names leader changes, lost and returning nodes, and job transitions', () => {
    const a = snap('a', 3, [node('a'), node('b')], [{ id: '1.1', name: 'build', state: 'queued', attempt: 0 }, { id: '2.1', name: 'test', state: 'running', node: 'b', attempt: 1 }]);
    const b = snap('b', 4, [node('a', 'down'), node('b'), node('c')], [
      { id: '1.1', name: 'build', state: 'running', node: 'b', attempt: 1 },
      { id: '2.1', name: 'test', state: 'queued', attempt: 2, reason: 'node-lost on a' },
      { id: '3.1', name: 'lint', state: 'queued', attempt: 0 },
    ]);
    expect(diffSnapshots(null, a, 1)).toEqual([]);
    expect(diffSnapshots(a, b, 7).map((e: ReplEvent) => [e.kind, e.text, e.tone])).toEqual([
      ['leader-changed', 'leader is now b, term 4 (was a)', 'warn'],
      ['node-down', 'node a lost', 'bad'],
      ['node-joined', 'node c joined (os=linux)', 'good'],
      ['job-started', 'job 1.1 build running on b', 'info'],
      ['job-retried', 'job 2.1 test retried: attempt 2 (node-lost on a)', 'warn'],
      ['job-submitted', 'job 3.1 lint queued', 'info'],
    ]);
    const c = snap(null, 5, [node('a'), node('b'), node('c')], [{ id: '1.1', name: 'build', state: 'succeeded', node: 'b', attempt: 1 }]);
    expect(diffSnapshots(b, c, 9).map((e) => e.text)).toEqual(['leader b lost; election under way', 'node a is back', 'job 1.1 build succeeded on b']);
  });

  it('feeds events from polls to the sink once started', () => {
    const src = createPollingEventSource(() => 42);
    const got: ReplEvent[] = [];
    src.observe(snap('a', 1, [node('a')], []));
    const stop = src.start((e) => got.push(e));
    src.observe(snap('b', 2, [node('a')], []));
    stop();
    src.observe(snap('c', 3, [node('a')], []));
    expect(got).toEqual([{ at: 42, kind: 'leader-changed', text: 'leader is now b, term 2 (was a)', tone: 'warn' }]);
  });
});

describe('parsing the API tolerantly', () => {
  it('fills missing fields with neutral values and keeps only http API URLs', () => {
    expect(parseCluster({ nodes: [{ name: 'a', api: 'http://127.0.0.1:7070/' }, { name: 'b', api: 'file:///x' }, 'junk'] })).toEqual({
      cluster: null,
      leader: null,
      term: 0,
      nodes: [
        { name: 'a', id: '', addrs: [], labels: [], role: 'voter', state: 'up', slots: 0, running: 0, api: 'http://127.0.0.1:7070', reason: null },
        { name: 'b', id: '', addrs: [], labels: [], role: 'voter', state: 'up', slots: 0, running: 0, api: null, reason: null },
        { name: '?', id: '', addrs: [], labels: [], role: 'voter', state: 'up', slots: 0, running: 0, api: null, reason: null },
      ],
    });
    expect(parseJobStatus(null)).toMatchObject({ id: '?', state: 'unknown', attempts: [], waiting: [] });
    expect(parseJobStatus({ id: '1', waiting: { text: 'busy', matching: { busy: ['a', 'b'] }, unmet: [{ node: 'c', terms: ['gpu'] }] } }).waiting).toEqual(['busy', 'busy: a, b', 'c lacks gpu']);
  });
});
