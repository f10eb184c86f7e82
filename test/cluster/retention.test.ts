import { describe, expect, it } from 'vitest';
import { finishedJobsRetainedMax, jobsView } from '../../src/cluster/index.js';
import { checkState } from './invariants.js';
import { Harness, plan, spec } from './fixtures.js';

describe('retention of finished runs', () => {
  it('drops the oldest finished runs past the limit, keeps running ones and the counts right', () => {
    const h = new Harness();
    h.join('n1', [], 8);
    const keep = h.submit(plan([spec('long')]));
    h.schedule();
    const total = finishedJobsRetainedMax + 50;
    for (let i = 0; i < total; i++) {
      const { jobs } = h.submit(plan([spec('quick')]));
      h.schedule();
      h.finish(jobs[0]!);
    }
    checkState(h.state);
    const finished = Object.values(h.state.jobs).filter((j) => j.state === 'succeeded').length;
    expect(finished).toBeLessThanOrEqual(finishedJobsRetainedMax);
    expect(finished).toBeGreaterThanOrEqual(Math.floor(finishedJobsRetainedMax * 0.9));
    // The oldest went first; the newest and the one still running stay.
    expect(h.state.runs['2']).toBeUndefined();
    expect(h.state.runs[String(total + 1)]).toBeDefined();
    expect(h.job(keep.jobs[0]!).state).toBe('placed');
    expect(h.state.jobCount).toBe(Object.keys(h.state.jobs).length);
    expect(h.state.openJobCount).toBe(1);
    // Every attempt reached the history before its run was dropped.
    expect(h.effectsOf('history')).toHaveLength(total);
    expect(jobsView(h.state, { limit: 3 }).map((r) => r.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  });
});
