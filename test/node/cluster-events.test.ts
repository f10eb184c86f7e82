import { describe, expect, it } from 'vitest';
import { toBusEvent } from '../../node/cluster-events.js';
import { Harness, plan, spec } from '../cluster/fixtures.js';

/** The bus events of job 1.1, from the entries applied so far, read against the final state. */
function busKinds(h: Harness): Array<Record<string, unknown>> {
  return h.effectsOf('event').flatMap((e) => {
    const ev = toBusEvent(e.event, h.state, 0);
    return ev !== null && 'job' in ev && ev.job === '1.1' ? [ev as unknown as Record<string, unknown>] : [];
  });
}

describe('cluster events on the bus', () => {
  it('a new job is queued, not retried, though the same entry placed it', () => {
    const h = new Harness();
    h.join('n1');
    h.submit(plan([spec('a')]));
    h.finish('1.1');
    expect(busKinds(h).map((e) => e.kind)).toEqual(['job-queued', 'job-started', 'job-finished']);
  });

  it('a failed attempt that is retried is announced as attempt 2 with the reason', () => {
    const h = new Harness();
    h.join('n1');
    h.submit(plan([spec('a', { retry: { max: 1, on: ['failure'] } })]));
    h.finish('1.1', 'failed', { exitCode: 1 });
    h.finish('1.1');
    expect(busKinds(h).map((e) => e.kind)).toEqual(['job-queued', 'job-started', 'job-retried', 'job-started', 'job-finished']);
    expect(busKinds(h)[2]).toMatchObject({ attempt: 2, reason: 'attempt 1 failed (exit 1); retrying as attempt 2' });
  });
});
