import { describe, expect, it } from 'vitest';
import type { Command, JobState } from '../../src/cluster/index.js';
import { applyCommand, emptyState, schedule } from '../../src/cluster/index.js';
import { Harness, plan, spec } from './fixtures.js';

describe('a job from submit to success', () => {
  it('goes queued → placed → running → succeeded with the effects each step asks for', () => {
    const h = new Harness();
    h.join('n1', ['maven']);
    const { run, jobs } = h.submit(plan([spec('build', { labels: ['maven'] })]));
    expect(run).toBe('1');
    expect(jobs).toEqual(['1.1']);
    // Queued, and placed by the same entry (the queued event comes first).
    const placed = h.schedule();
    expect(placed).toEqual([{ job: '1.1', node: 'n1' }]);
    expect(h.job('1.1')).toMatchObject({ state: 'placed', node: 'n1' });
    expect(h.state.nodes.n1!.running).toBe(1);
    const start = h.effectsOf('start-attempt');
    expect(start).toHaveLength(1);
    expect(start[0]).toMatchObject({ node: 'n1', job: '1.1', attempt: 1, run: '1', pipelineName: 'ci', labels: ['maven'], needs: {} });
    expect(start[0]!.spec.id).toBe('build');
    expect(start[0]!.instance.key).toBe('build');

    h.ok({ kind: 'AttemptStarted', job: '1.1', attempt: 1, node: 'n1' });
    expect(h.job('1.1').state).toBe('running');
    h.ok({ kind: 'AttemptFinished', job: '1.1', attempt: 1, node: 'n1', status: 'succeeded', exitCode: 0, outputs: { v: '1' }, logDigest: 'sha256:abc' });
    const job = h.job('1.1');
    expect(job).toMatchObject({ state: 'succeeded', result: 'success', outputs: { v: '1' } });
    expect(job.attempts).toEqual([
      { n: 1, node: 'n1', state: 'succeeded', exitCode: 0, placedAtMs: job.attempts[0]!.placedAtMs, startedAtMs: job.attempts[0]!.startedAtMs, finishedAtMs: job.finishedAtMs, logDigest: 'sha256:abc', reason: null },
    ]);
    expect(job.attempts[0]!.placedAtMs).toBeLessThan(job.attempts[0]!.startedAtMs!);
    expect(h.state.nodes.n1!.running).toBe(0);
    expect(h.state.runs['1']!.state).toBe('succeeded');

    const history = h.effectsOf('history');
    expect(history).toHaveLength(1);
    expect(history[0]!.record).toMatchObject({ run: '1', pipeline: 'ci', job: '1.1', name: 'build', attempt: 1, node: 'n1', state: 'succeeded', exitCode: 0, logDigest: 'sha256:abc', labels: ['maven'] });
    const states = h.effectsOf('event').flatMap((e) => (e.event.type === 'job' ? [e.event.state] : []));
    expect(states).toEqual<JobState[]>(['queued', 'placed', 'running', 'succeeded']);
    expect(h.effectsOf('event').some((e) => e.event.type === 'run' && e.event.state === 'succeeded')).toBe(true);
  });

  it('takes times from the log entries and never lets the clock go back', () => {
    const s0 = emptyState();
    const join: Command = { kind: 'NodeJoined', node: 'a', id: 'p', bootId: 'b', addrs: [], os: 'linux', arch: 'x64', labels: [], slots: 1 };
    const a = applyCommand(s0, join, { index: 1, term: 1, timeMs: 5000 });
    expect(a.state.nodes.a!.lastHeartbeatMs).toBe(5000);
    const b = applyCommand(a.state, { kind: 'NodeHeartbeat', node: 'a' }, { index: 2, term: 2, timeMs: 4000 });
    expect(b.state.clockMs).toBe(5000);
    expect(b.state.nodes.a!.lastHeartbeatMs).toBe(5000);
  });

  it('ignores an entry at or below the applied index', () => {
    const s0 = emptyState();
    const a = applyCommand(s0, { kind: 'Tick' }, { index: 3, term: 1, timeMs: 1 });
    const b = applyCommand(a.state, { kind: 'NodeHeartbeat', node: 'x' }, { index: 3, term: 1, timeMs: 2 });
    expect(b.state).toBe(a.state);
    expect(b.result).toMatchObject({ ok: false, data: { reason: 'already-applied' } });
  });
});

describe('refusals leave the state unchanged', () => {
  const table: Array<[string, Command, string]> = [
    ['heartbeat of an unknown node', { kind: 'NodeHeartbeat', node: 'ghost' }, 'NOT_FOUND'],
    ['join with a bad name', { kind: 'NodeJoined', node: 'bad name', id: 'p', bootId: 'b', addrs: [], os: 'linux', arch: 'x64', labels: [], slots: 1 }, 'INVALID_INPUT'],
    ['join with zero slots', { kind: 'NodeJoined', node: 'z', id: 'p', bootId: 'b', addrs: [], os: 'linux', arch: 'x64', labels: [], slots: 0 }, 'INVALID_INPUT'],
    ['join with a negated label', { kind: 'NodeJoined', node: 'z', id: 'p', bootId: 'b', addrs: [], os: 'linux', arch: 'x64', labels: ['!gpu'], slots: 1 }, 'INVALID_INPUT'],
    ['placing an unknown job', { kind: 'JobPlaced', job: '9.9', attempt: 1, node: 'n1' }, 'NOT_FOUND'],
    ['cancelling an unknown job', { kind: 'JobCancelled', job: '9.9' }, 'NOT_FOUND'],
    ['removing a pipeline that is not registered', { kind: 'PipelineRemoved', name: 'nope' }, 'PIPELINE_NOT_FOUND'],
    ['an unknown setting', { kind: 'ConfigSet', key: 'colour', value: 'red' }, 'INVALID_INPUT'],
    ['a lease below the minimum', { kind: 'ConfigSet', key: 'leaseMs', value: 10 }, 'INVALID_INPUT'],
    ['removing an up node', { kind: 'NodeRemoved', node: 'n1' }, 'CONFLICT'],
    ['an empty plan', { kind: 'RunSubmitted', plan: { pipeline: plan([]).pipeline, instances: [] } }, 'PIPELINE_INVALID'],
    ['a malformed label', { kind: 'RunSubmitted', plan: plan([spec('a', { labels: ['os='] })]) }, 'INVALID_INPUT'],
    ['a label no node has', { kind: 'RunSubmitted', plan: plan([spec('a', { labels: ['gpu'] })]) }, 'UNPLACEABLE'],
    ['a runs-on expression other than matrix', { kind: 'RunSubmitted', plan: plan([spec('a', { runsOn: ['${{ github.x }}'] })]) }, 'INVALID_INPUT'],
    ['a retry max above the limit', { kind: 'RunSubmitted', plan: plan([spec('a', { retry: { max: 50, on: ['failure'] } })]) }, 'PIPELINE_INVALID'],
  ];
  it.each(table)('%s', (_, cmd, code) => {
    const h = new Harness();
    h.join('n1', ['maven']);
    const out = h.refused(cmd);
    expect(out.result.code).toBe(code);
    expect(out.result.message.length).toBeGreaterThan(0);
  });

  it('explains an unplaceable submit with the labels that exist', () => {
    const h = new Harness();
    h.join('n1', ['maven']);
    const out = h.refused({ kind: 'RunSubmitted', plan: plan([spec('a', { labels: ['gpu'] })]) });
    expect(out.result.message).toBe('no known node can run job a needing gpu; labels that exist: arch=x64, linux, maven, name=n1, os=linux, self-hosted, x64');
    expect(out.result.data).toMatchObject({ terms: ['gpu'], job: 'a' });
  });
});

describe('placement is checked again on apply', () => {
  // The state machine places on apply; a JobPlaced entry (as logs written before that carry)
  // is still checked against everything before it takes effect.
  it('refuses a second placement of the same job, a full node, a stale attempt, a draining node', () => {
    const h = new Harness();
    h.join('n1', ['maven'], 1);
    h.join('n2', [], 1);
    h.ok({ kind: 'NodeDraining', node: 'n1', draining: true });
    h.ok({ kind: 'NodeDraining', node: 'n2', draining: true });
    h.submit(plan([spec('a', { labels: ['maven'] }), spec('b')]));
    expect(h.schedule()).toEqual([]);
    h.refused({ kind: 'JobPlaced', job: '1.2', attempt: 1, node: 'n2' }, 'node-unavailable');
    h.refused({ kind: 'JobPlaced', job: '1.2', attempt: 2, node: 'n2' }, 'stale-attempt');
    h.ok({ kind: 'NodeDraining', node: 'n1', draining: false });
    expect(h.schedule()).toEqual([{ job: '1.1', node: 'n1' }]);
    h.refused({ kind: 'JobPlaced', job: '1.1', attempt: 1, node: 'n1' }, 'not-queued');
    h.refused({ kind: 'JobPlaced', job: '1.2', attempt: 1, node: 'n1' }, 'node-unavailable');
    h.ok({ kind: 'NodeDraining', node: 'n2', draining: false });
    expect(h.schedule()).toEqual([{ job: '1.2', node: 'n2' }]);
  });

  it('refuses placing a job on a node its labels exclude', () => {
    const h = new Harness();
    h.join('n1', ['maven'], 1);
    h.join('n2', [], 1);
    h.ok({ kind: 'NodeDraining', node: 'n1', draining: true });
    h.submit(plan([spec('a', { labels: ['maven'] })]));
    expect(h.job('1.1').state).toBe('queued');
    h.refused({ kind: 'JobPlaced', job: '1.1', attempt: 1, node: 'n2' }, 'labels');
  });
});

describe('nodes', () => {
  it('keeps a rejoin of the same boot, loses attempts of a restarted one', () => {
    const h = new Harness();
    h.join('n1');
    h.submit(plan([spec('a')]));
    h.schedule();
    h.join('n1', ['x'], 2, 'b1');
    expect(h.job('1.1').state).toBe('placed');
    expect(h.state.nodes.n1!.labels).toContain('x');
    h.join('n1', [], 2, 'b2');
    // Re-queued (the event says why), then placed again on the restarted node in the same entry.
    const queued = h.effectsOf('event').map((e) => e.event).filter((e) => e.type === 'job' && e.state === 'queued').at(-1);
    expect(queued).toMatchObject({ job: '1.1', reason: 'attempt 1 lost: node n1 restarted; retrying as attempt 2' });
    expect(h.job('1.1').attempts.map((a) => a.state)).toEqual(['lost', 'placed']);
    expect(h.effectsOf('stop-attempt')).toEqual([{ kind: 'stop-attempt', node: 'n1', job: '1.1', attempt: 1, reason: 'node n1 restarted' }]);
    expect(h.state.nodes.n1!.running).toBe(1);
  });

  it('sets labels and slots, roles, and removes a down node', () => {
    const h = new Harness();
    h.join('n1');
    h.ok({ kind: 'NodeLabelsSet', node: 'n1', labels: ['gpu=a100'], slots: 8 });
    expect(h.state.nodes.n1).toMatchObject({ userLabels: ['gpu=a100'], slots: 8 });
    expect(h.state.nodes.n1!.labels).toEqual(['os=linux', 'arch=x64', 'name=n1', 'self-hosted', 'linux', 'x64', 'gpu=a100']);
    h.ok({ kind: 'NodeRoleSet', node: 'n1', role: 'voter' });
    expect(h.state.nodes.n1!.role).toBe('voter');
    h.ok({ kind: 'NodeDown', node: 'n1', reason: 'gone' });
    h.refused({ kind: 'NodeDown', node: 'n1', reason: 'gone' }, 'already-down');
    h.ok({ kind: 'NodeRemoved', node: 'n1' });
    expect(h.state.nodes.n1).toBeUndefined();
  });
});

describe('config', () => {
  it('registers and removes pipelines and sets settings, each with a config effect for the store', () => {
    const h = new Harness();
    h.ok({ kind: 'PipelineAdded', name: 'nightly', fileName: 'nightly.yml', text: 'on: push\n', repo: 'https://x/y.git' });
    expect(h.state.pipelines.nightly).toMatchObject({ name: 'nightly', fileName: 'nightly.yml', repo: 'https://x/y.git', ref: null });
    h.ok({ kind: 'ConfigSet', key: 'leaseMs', value: 1500 });
    h.ok({ kind: 'ConfigSet', key: 'labelAliases', value: { java: ['maven', 'os=linux'] } });
    h.ok({ kind: 'PipelineRemoved', name: 'nightly' });
    expect(h.state.config.leaseMs).toBe(1500);
    expect(h.effectsOf('config').map((e) => e.change.what)).toEqual(['pipeline-added', 'config-set', 'config-set', 'pipeline-removed']);
  });

  it('expands label aliases at submit', () => {
    const h = new Harness();
    h.join('n1', ['maven']);
    h.ok({ kind: 'ConfigSet', key: 'labelAliases', value: { java: ['maven', 'os=linux'] } });
    h.submit(plan([spec('a', { runsOn: ['java'] })]));
    expect(h.job('1.1').labels).toEqual(['maven', 'os=linux']);
  });

  it('places each matrix instance by its own runs-on', () => {
    const h = new Harness();
    h.join('n1', ['os=linux']);
    h.join('n2', ['os=darwin']);
    h.submit(plan([spec('t', { runsOn: ['os=${{ matrix.os }}'], matrix: { axes: { os: ['linux', 'darwin'] }, include: [], exclude: [], failFast: true } })]));
    expect(h.job('1.1')).toMatchObject({ name: 't (linux)', labels: ['os=linux'] });
    expect(h.job('1.2')).toMatchObject({ name: 't (darwin)', labels: ['os=darwin'] });
    expect(h.schedule()).toEqual([{ job: '1.1', node: 'n1' }, { job: '1.2', node: 'n2' }]);
  });

  it('returns the first run for a repeated request id', () => {
    const h = new Harness();
    h.join('n1');
    const a = h.submit(plan([spec('a')]), { requestId: 'req-1' });
    const out = h.ok({ kind: 'RunSubmitted', plan: plan([spec('a')]), requestId: 'req-1' });
    expect(out.result).toEqual({ ok: true, run: { id: a.run, jobs: a.jobs, duplicate: true } });
    expect(Object.keys(h.state.runs)).toEqual([a.run]);
  });
});

describe('placement when one node has a free slot', () => {
  it('gives that node the oldest queued job it matches, passing over older ones it does not', () => {
    const h = new Harness();
    h.join('n1', [], 1);
    h.join('n2', ['gpu'], 1);
    const x = h.submit(plan([spec('x')])).jobs[0]!;
    const y = h.submit(plan([spec('y')])).jobs[0]!;
    expect(h.schedule()).toEqual([{ job: x, node: 'n1' }, { job: y, node: 'n2' }]);
    const g = h.submit(plan([spec('g', { labels: ['gpu'] })])).jobs[0]!;
    const p = h.submit(plan([spec('p')])).jobs[0]!;
    const q = h.submit(plan([spec('q')])).jobs[0]!;
    expect(h.schedule()).toEqual([]);
    h.finish(x);
    expect(h.schedule()).toEqual([{ job: p, node: 'n1' }]);
    h.finish(y);
    expect(h.schedule()).toEqual([{ job: g, node: 'n2' }]);
    expect(h.job(q).state).toBe('queued');
  });
});
