import { describe, expect, it } from 'vitest';
import { CairnError } from '../../src/util/errors.js';
import { clusterStatusView, isJobState, jobStatusView, jobsView } from '../../src/cluster/index.js';
import { Harness, plan, spec } from './fixtures.js';

describe('views in SPEC.md shapes', () => {
  it('cluster status: leader, term, nodes with labels, roles and load', () => {
    const h = new Harness();
    h.join('n1', ['maven'], 4);
    h.join('n2', [], 2);
    h.ok({ kind: 'NodeRoleSet', node: 'n2', role: 'voter' });
    h.submit(plan([spec('a', { labels: ['maven'] })]));
    h.schedule();
    const v = clusterStatusView(h.state, { leader: 'peer-n2', term: 7 });
    expect(v.leader).toBe('n2');
    expect(v.term).toBe(7);
    expect(v.nodes.map((n) => [n.name, n.role, n.state, n.slots, n.running])).toEqual([['n1', 'learner', 'up', 4, 1], ['n2', 'leader', 'up', 2, 0]]);
    expect(v.nodes[0]).toMatchObject({ id: 'peer-n1', labels: ['os=linux', 'arch=x64', 'name=n1', 'self-hosted', 'linux', 'x64', 'maven'] });
    expect(Array.isArray(v.nodes[0]!.addrs)).toBe(true);
    expect(clusterStatusView(h.state, { leader: null, term: 7 }).leader).toBeNull();
  });

  it('jobs: id, name, state, node, labels, and why queued jobs wait', () => {
    const h = new Harness();
    h.join('m1', ['maven'], 2);
    h.join('m2', ['maven'], 2);
    h.join('m3', ['maven'], 1);
    h.ok({ kind: 'NodeDown', node: 'm3', reason: 'lease expired' });
    h.submit(plan([spec('a', { labels: ['maven'] }), spec('b', { labels: ['maven'] }), spec('c', { labels: ['maven'] }), spec('d', { labels: ['maven'] }), spec('e', { labels: ['maven'] })]));
    h.schedule();
    const rows = jobsView(h.state);
    expect(rows.map((r) => [r.id, r.name, r.state, r.node])).toEqual([
      ['1.1', 'a', 'placed', 'm1'],
      ['1.2', 'b', 'placed', 'm2'],
      ['1.3', 'c', 'placed', 'm1'],
      ['1.4', 'd', 'placed', 'm2'],
      ['1.5', 'e', 'queued', null],
    ]);
    expect(rows[4]!.labels).toEqual(['maven']);
    expect(rows[4]!.reason).toBe('no node with label maven has a free slot; 2 nodes with maven are busy (4/4 slots); 1 node with maven is down (m3)');
    expect(jobsView(h.state, { state: 'queued' }).map((r) => r.id)).toEqual(['1.5']);
    expect(jobsView(h.state, { limit: 2 }).map((r) => r.id)).toEqual(['1.4', '1.5']);
    expect(isJobState('queued')).toBe(true);
    expect(isJobState('waiting')).toBe(false);
  });

  it('status JOB: state, node, attempts, reason', () => {
    const h = new Harness();
    h.join('n1', [], 1);
    h.join('n2', [], 1);
    h.submit(plan([spec('a')]));
    h.schedule();
    const first = h.job('1.1').attempts[0]!.node;
    h.ok({ kind: 'NodeDown', node: first, reason: 'lease expired' });
    h.schedule();
    h.finish('1.1', 'failed', { exitCode: 4 });
    const s = jobStatusView(h.state, '1.1');
    expect(s).toMatchObject({ id: '1.1', name: 'a', state: 'failed', labels: [], run: '1', pipeline: 'ci' });
    expect(s.reason).toBe('attempt 2 failed (exit 4); failure is not retried');
    expect(s.attempts.map((a) => [a.n, a.node, a.state, a.exitCode])).toEqual([[1, first, 'lost', null], [2, s.node, 'failed', 4]]);
    for (const a of s.attempts) {
      expect(typeof a.finishedAt).toBe('number');
      expect(a).toHaveProperty('startedAt');
    }
  });

  it('status of a run id (what submit returns) aggregates its jobs', () => {
    const h = new Harness();
    h.join('n1', [], 1);
    h.submit(plan([spec('a'), spec('b', { needs: ['a'] })]));
    h.schedule();
    let s = jobStatusView(h.state, '1');
    expect(s).toMatchObject({ id: '1', name: 'ci', state: 'placed', result: null });
    expect(s.jobs.map((j) => [j.id, j.state])).toEqual([['1.1', 'placed'], ['1.2', 'queued']]);
    expect(s.reason).toBe('a: placed on n1, waiting for it to start');
    h.finish('1.1');
    h.schedule();
    h.finish('1.2');
    s = jobStatusView(h.state, '1');
    expect(s).toMatchObject({ state: 'succeeded', result: 'succeeded', reason: null });
    expect(s.attempts.map((a) => a.job)).toEqual(['1.1', '1.2']);
  });

  it('a one-job run reads as its job, lost included', () => {
    const h = new Harness();
    h.join('n1', [], 1);
    h.submit(plan([spec('a', { retry: { max: 0, on: ['node-lost'] } })]));
    h.schedule();
    h.ok({ kind: 'NodeDown', node: 'n1', reason: 'lease expired' });
    expect(jobStatusView(h.state, '1').state).toBe('lost');
  });

  it('explains a waiting job with structured data, and throws NOT_FOUND for an unknown id', () => {
    const h = new Harness();
    h.join('n1', ['maven'], 1);
    h.submit(plan([spec('a', { labels: ['maven'] }), spec('b', { labels: ['maven'] })]));
    h.schedule();
    const s = jobStatusView(h.state, '1.2');
    expect(s.reason).toBe('no node with label maven has a free slot; 1 node with maven is busy (1/1 slots)');
    expect(s.waiting).toMatchObject({ code: 'matching-nodes-busy', matching: { busy: ['n1'] } });
    expect(() => jobStatusView(h.state, '99')).toThrow(CairnError);
  });
});
