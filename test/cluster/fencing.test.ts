import { describe, expect, it } from 'vitest';
import { Harness, plan, spec } from './fixtures.js';

function placedOnce(): Harness {
  const h = new Harness();
  h.join('n1');
  h.join('n2');
  h.submit(plan([spec('a')]));
  h.schedule();
  return h;
}

describe('fencing: at most one result per job', () => {
  it('refuses a late report from an old attempt after its node was declared down', () => {
    const h = placedOnce();
    const first = h.job('1.1').attempts[0]!;
    h.ok({ kind: 'AttemptStarted', job: '1.1', attempt: 1, node: first.node });
    h.ok({ kind: 'NodeDown', node: first.node, reason: 'lease expired' });
    // Re-queued and, in the same entry, placed again on the node that is left.
    expect(h.job('1.1')).toMatchObject({ state: 'placed' });
    expect(h.job('1.1').attempts[0]).toMatchObject({ n: 1, state: 'lost' });
    expect(h.schedule()).toEqual([{ job: '1.1', node: first.node === 'n1' ? 'n2' : 'n1' }]);
    const second = h.job('1.1').attempts[1]!;
    expect(second.n).toBe(2);
    expect(second.node).not.toBe(first.node);

    // The cut-off node comes back and reports attempt 1: refused, with the reason.
    h.ok({ kind: 'NodeHeartbeat', node: first.node });
    const late = h.refused({ kind: 'AttemptFinished', job: '1.1', attempt: 1, node: first.node, status: 'succeeded', exitCode: 0 }, 'stale-attempt');
    expect(late.result.message).toBe('attempt 1 of job 1.1 is stale: attempt 2 is current');
    expect(late.result.code).toBe('CONFLICT');
    h.refused({ kind: 'AttemptStarted', job: '1.1', attempt: 1, node: first.node }, 'stale-attempt');

    h.finish('1.1');
    expect(h.job('1.1')).toMatchObject({ state: 'succeeded', result: 'success' });
  });

  it('refuses a duplicate finish, a report from another node, and an attempt that does not exist', () => {
    const h = placedOnce();
    const a = h.job('1.1').attempts[0]!;
    const other = a.node === 'n1' ? 'n2' : 'n1';
    h.refused({ kind: 'AttemptStarted', job: '1.1', attempt: 1, node: other }, 'wrong-node');
    h.refused({ kind: 'AttemptFinished', job: '1.1', attempt: 2, node: a.node, status: 'succeeded' }, 'unknown-attempt');
    h.ok({ kind: 'AttemptStarted', job: '1.1', attempt: 1, node: a.node });
    h.refused({ kind: 'AttemptStarted', job: '1.1', attempt: 1, node: a.node }, 'already-started');
    h.refused({ kind: 'AttemptFinished', job: '1.1', attempt: 1, node: other, status: 'failed' }, 'wrong-node');
    h.ok({ kind: 'AttemptFinished', job: '1.1', attempt: 1, node: a.node, status: 'failed', exitCode: 3 });
    const dup = h.refused({ kind: 'AttemptFinished', job: '1.1', attempt: 1, node: a.node, status: 'succeeded', exitCode: 0 }, 'already-ended');
    expect(dup.result.message).toBe('attempt 1 of job 1.1 already ended (failed)');
    expect(h.job('1.1')).toMatchObject({ state: 'failed', result: 'failure' });
    expect(h.effectsOf('history')).toHaveLength(1);
  });

  it('refuses the report of an attempt cancelled meanwhile, and asks its node to stop it', () => {
    const h = placedOnce();
    const a = h.job('1.1').attempts[0]!;
    h.ok({ kind: 'AttemptStarted', job: '1.1', attempt: 1, node: a.node });
    h.ok({ kind: 'JobCancelled', job: '1.1', reason: 'cancelled by alice' });
    expect(h.effectsOf('stop-attempt')).toEqual([{ kind: 'stop-attempt', node: a.node, job: '1.1', attempt: 1, reason: 'cancelled by alice' }]);
    expect(h.job('1.1')).toMatchObject({ state: 'cancelled', result: 'cancelled', reason: 'cancelled by alice' });
    expect(h.state.nodes[a.node]!.running).toBe(0);
    h.refused({ kind: 'AttemptFinished', job: '1.1', attempt: 1, node: a.node, status: 'cancelled' }, 'already-ended');
    h.refused({ kind: 'JobCancelled', job: '1.1' }, 'already-ended');
  });

  it('drops oversized outputs instead of refusing the report', () => {
    const h = placedOnce();
    const a = h.job('1.1').attempts[0]!;
    h.ok({ kind: 'AttemptFinished', job: '1.1', attempt: 1, node: a.node, status: 'succeeded', exitCode: 0, outputs: { big: 'x'.repeat((1 << 20) + 1) } });
    expect(h.job('1.1')).toMatchObject({ state: 'succeeded', outputs: {} });
    expect(h.job('1.1').attempts[0]!.reason).toMatch(/outputs larger than/);
  });
});
