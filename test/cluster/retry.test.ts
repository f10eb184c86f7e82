import { describe, expect, it } from 'vitest';
import { shouldRetry } from '../../src/cluster/index.js';
import { Harness, plan, spec } from './fixtures.js';

describe('shouldRetry', () => {
  const table: Array<[number, 'node-lost' | 'failure', boolean]> = [
    [1, 'node-lost', true],
    [2, 'node-lost', true],
    [3, 'node-lost', false],
    [1, 'failure', false],
  ];
  it.each(table)('default policy, after %i attempts, %s → %s', (n, cause, want) => {
    expect(shouldRetry({ max: 2, on: ['node-lost'] }, n, cause)).toBe(want);
  });
  it('retries failures only when asked', () => {
    expect(shouldRetry({ max: 1, on: ['failure'] }, 1, 'failure')).toBe(true);
    expect(shouldRetry({ max: 1, on: ['failure'] }, 2, 'failure')).toBe(false);
    expect(shouldRetry({ max: 1, on: ['failure'] }, 1, 'node-lost')).toBe(false);
  });
});

describe('retry policy in the state machine', () => {
  it('retries node-lost twice, then the job is lost for good, every attempt in the history', () => {
    const h = new Harness();
    for (const n of ['n1', 'n2', 'n3']) h.join(n, [], 1);
    h.submit(plan([spec('a')]));
    const nodes: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const [p] = h.schedule();
      expect(p!.job).toBe('1.1');
      nodes.push(p!.node);
      expect(h.job('1.1').attempts).toHaveLength(i);
      h.ok({ kind: 'AttemptStarted', job: '1.1', attempt: i, node: p!.node });
      h.ok({ kind: 'NodeDown', node: p!.node, reason: 'lease expired' });
    }
    expect(new Set(nodes).size).toBe(3);
    const job = h.job('1.1');
    expect(job.state).toBe('lost');
    expect(job.result).toBe('failure');
    expect(job.reason).toBe('attempt 3 lost: node ' + nodes[2] + ' down (lease expired); retries exhausted (2)');
    expect(job.attempts.map((a) => [a.n, a.node, a.state])).toEqual(nodes.map((n, i) => [i + 1, n, 'lost']));
    expect(h.effectsOf('history').map((e) => [e.record.attempt, e.record.state])).toEqual([[1, 'lost'], [2, 'lost'], [3, 'lost']]);
    expect(h.state.runs['1']!.state).toBe('failed');
    expect(h.schedule()).toEqual([]);
  });

  it('does not retry a failure by default', () => {
    const h = new Harness();
    h.join('n1');
    h.submit(plan([spec('a')]));
    h.schedule();
    h.finish('1.1', 'failed', { exitCode: 2 });
    expect(h.job('1.1')).toMatchObject({ state: 'failed', reason: 'attempt 1 failed (exit 2); failure is not retried' });
    expect(h.job('1.1').attempts).toHaveLength(1);
  });

  it('retries a failure with on: [failure], up to max', () => {
    const h = new Harness();
    h.join('n1');
    h.submit(plan([spec('a', { retry: { max: 1, on: ['failure'] } })]));
    h.schedule();
    h.finish('1.1', 'failed', { exitCode: 1 });
    // Re-queued (the event says why) and placed again in the same entry.
    const events = h.effectsOf('event').map((e) => e.event).filter((e) => e.type === 'job' && e.job === '1.1');
    expect(events.at(-2)).toMatchObject({ state: 'queued', reason: 'attempt 1 failed (exit 1); retrying as attempt 2' });
    expect(h.job('1.1')).toMatchObject({ state: 'placed' });
    expect(h.schedule()).toEqual([{ job: '1.1', node: 'n1' }]);
    h.finish('1.1', 'failed', { exitCode: 1 });
    expect(h.job('1.1')).toMatchObject({ state: 'failed', reason: 'attempt 2 failed (exit 1); retries exhausted (1)' });
    expect(h.effectsOf('history').map((e) => e.record.attempt)).toEqual([1, 2]);
  });

  it('does not retry node-lost when the policy leaves it out', () => {
    const h = new Harness();
    h.join('n1');
    h.submit(plan([spec('a', { retry: { max: 3, on: ['failure'] } })]));
    h.schedule();
    h.ok({ kind: 'NodeDown', node: 'n1', reason: 'lease expired' });
    expect(h.job('1.1')).toMatchObject({ state: 'lost', reason: 'attempt 1 lost: node n1 down (lease expired); node-lost is not retried' });
  });

  it('a continue-on-error failure does not fail the run', () => {
    const h = new Harness();
    h.join('n1');
    h.submit(plan([spec('a', { continueOnError: true }), spec('b', { needs: ['a'] })]));
    h.schedule();
    h.finish('1.1', 'failed');
    expect(h.job('1.1')).toMatchObject({ state: 'failed', result: 'success' });
    h.schedule();
    h.finish('1.2');
    expect(h.state.runs['1']!.state).toBe('succeeded');
  });
});
