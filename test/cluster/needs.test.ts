import { describe, expect, it } from 'vitest';
import { Harness, plan, spec } from './fixtures.js';

const matrix = (values: string[], extra: { failFast?: boolean; maxParallel?: number } = {}) => ({
  axes: { v: values },
  include: [],
  exclude: [],
  failFast: extra.failFast ?? true,
  ...(extra.maxParallel === undefined ? {} : { maxParallel: extra.maxParallel }),
});

describe('needs across nodes', () => {
  it('runs dependents on other nodes and hands them the outputs through the state', () => {
    const h = new Harness();
    h.join('java-box', ['maven']);
    h.join('rust-box', ['cargo']);
    h.submit(plan([
      spec('build', { labels: ['maven'], outputs: { version: '${{ steps.v.outputs.version }}' } }),
      spec('package', { labels: ['cargo'], needs: ['build'] }),
    ]));
    expect(h.schedule()).toEqual([{ job: '1.1', node: 'java-box' }]);
    expect(h.job('1.2').state).toBe('queued');
    expect(h.schedule()).toEqual([]);
    h.finish('1.1', 'succeeded', { outputs: { version: '1.4.2' } });
    expect(h.schedule()).toEqual([{ job: '1.2', node: 'rust-box' }]);
    const start = h.effectsOf('start-attempt').find((e) => e.job === '1.2')!;
    expect(start.node).toBe('rust-box');
    expect(start.needs).toEqual({ build: { result: 'success', outputs: { version: '1.4.2' } } });
    expect(start.instance.needsJobs).toEqual(['build']);
  });

  it('says why a dependent waits', async () => {
    const { jobStatusView } = await import('../../src/cluster/index.js');
    const h = new Harness();
    h.join('n1');
    h.submit(plan([spec('build'), spec('test', { needs: ['build'] })]));
    h.schedule();
    expect(jobStatusView(h.state, '1.2').reason).toBe('waiting for needs: build (placed)');
  });

  it('merges a matrix need: any failure wins, outputs in plan order', () => {
    const h = new Harness();
    h.join('n1', [], 4);
    h.submit(plan([spec('t', { matrix: matrix(['a', 'b'], { failFast: false }) }), spec('report', { needs: ['t'], if: 'always()' })]));
    h.schedule();
    h.finish('1.1', 'succeeded', { outputs: { x: '1', y: 'a' } });
    h.finish('1.2', 'failed', { outputs: { y: 'b' } });
    h.schedule();
    const start = h.effectsOf('start-attempt').find((e) => e.job === '1.3')!;
    expect(start.needs).toEqual({ t: { result: 'failure', outputs: { x: '1', y: 'b' } } });
  });
});

describe('if: semantics when needs did not all succeed', () => {
  it('skips dependents in a cascade, runs always() and failure() jobs', () => {
    const h = new Harness();
    h.join('n1', [], 8);
    h.submit(plan([
      spec('a'),
      spec('b', { needs: ['a'] }),
      spec('c', { needs: ['b'] }),
      spec('cleanup', { needs: ['a'], if: '${{ always() }}' }),
      spec('notify', { needs: ['a'], if: 'failure()' }),
      spec('on-ok', { needs: ['a'], if: 'success() && github.ref == "main"' }),
      spec('unless-cancelled', { needs: ['a'], if: '!cancelled()' }),
    ]));
    h.schedule();
    h.finish('1.1', 'failed');
    for (const id of ['1.2', '1.3', '1.6']) {
      expect(h.job(id)).toMatchObject({ state: 'cancelled', result: 'skipped' });
    }
    expect(h.job('1.2').reason).toBe('skipped: needs not satisfied: a failure (if: success())');
    expect(h.job('1.3').reason).toBe('skipped: needs not satisfied: b skipped (if: success())');
    expect(h.schedule().map((p) => p.job)).toEqual(['1.4', '1.5', '1.7']);
    for (const id of ['1.4', '1.5', '1.7']) h.finish(id);
    expect(h.state.runs['1']!.state).toBe('failed');
  });

  it('skips a failure() job when everything succeeded; the run still succeeds', () => {
    const h = new Harness();
    h.join('n1');
    h.submit(plan([spec('a'), spec('notify', { needs: ['a'], if: 'failure()' })]));
    h.schedule();
    h.finish('1.1');
    expect(h.job('1.2')).toMatchObject({ state: 'cancelled', result: 'skipped' });
    expect(h.state.runs['1']!.state).toBe('succeeded');
  });

  it('records an executor-side skip (if: false on the node)', () => {
    const h = new Harness();
    h.join('n1');
    h.submit(plan([spec('a', { if: "github.ref == 'x'" }), spec('b', { needs: ['a'] })]));
    h.schedule();
    h.finish('1.1', 'skipped');
    expect(h.job('1.1')).toMatchObject({ state: 'cancelled', result: 'skipped', reason: 'skipped: if: condition was false' });
    expect(h.job('1.2')).toMatchObject({ state: 'cancelled', result: 'skipped' });
  });

  it('cancels a whole run, stopping what runs and skipping nothing twice', () => {
    const h = new Harness();
    h.join('n1');
    h.submit(plan([spec('a'), spec('b'), spec('c', { needs: ['a', 'b'], if: 'always()' })]));
    h.schedule();
    h.ok({ kind: 'JobCancelled', job: '1' });
    expect(['1.1', '1.2', '1.3'].map((id) => h.job(id).state)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(h.effectsOf('stop-attempt').map((e) => e.job)).toEqual(['1.1', '1.2']);
    expect(h.state.runs['1']!.state).toBe('cancelled');
    h.refused({ kind: 'JobCancelled', job: '1' }, 'already-ended');
  });
});

describe('matrix strategy', () => {
  it('fail-fast cancels the unfinished siblings', () => {
    const h = new Harness();
    h.join('n1', [], 2);
    h.submit(plan([spec('t', { matrix: matrix(['a', 'b', 'c']) })]));
    h.schedule();
    h.finish('1.1', 'failed');
    expect(h.job('1.2')).toMatchObject({ state: 'cancelled', reason: 'fail-fast: t (a) failed' });
    expect(h.job('1.3')).toMatchObject({ state: 'cancelled', result: 'cancelled' });
    expect(h.effectsOf('stop-attempt').map((e) => e.job)).toEqual(['1.2']);
    expect(h.state.runs['1']!.state).toBe('failed');
  });

  it('max-parallel bounds the instances placed at once', () => {
    const h = new Harness();
    h.join('n1', [], 8);
    h.submit(plan([spec('t', { matrix: matrix(['a', 'b', 'c', 'd'], { maxParallel: 2 }) })]));
    expect(h.schedule().map((p) => p.job)).toEqual(['1.1', '1.2']);
    expect(h.schedule()).toEqual([]);
    h.refused({ kind: 'JobPlaced', job: '1.3', attempt: 1, node: 'n1' }, 'not-ready');
    h.finish('1.1');
    expect(h.schedule().map((p) => p.job)).toEqual(['1.3']);
  });
});
