import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/cluster/index.js';
import { applyAll, applyEntry, canonicalJson, commandKinds, decodeCommand, decodeState, emptyState, encodeCommand, encodeState, validateCommand } from '../../src/cluster/index.js';
import { CairnError } from '../../src/util/errors.js';
import { Harness, plan, spec } from './fixtures.js';

function busyHistory(): Harness {
  const h = new Harness();
  h.join('n1', ['maven'], 2);
  h.join('n2', ['cargo'], 1);
  h.ok({ kind: 'PipelineAdded', name: 'ci', fileName: 'ci.yml', text: 'jobs: {}\n' });
  h.submit(plan([spec('build', { labels: ['maven'] }), spec('test', { labels: ['cargo'], needs: ['build'] })]));
  h.submit(plan([spec('x')]), { requestId: 'r', source: { repo: 'https://example.com/r.git', ref: 'main' } });
  h.schedule();
  h.finish('1.1', 'succeeded', { outputs: { v: '2' } });
  h.schedule();
  h.ok({ kind: 'NodeDown', node: 'n2', reason: 'lease expired' });
  h.ok({ kind: 'JobCancelled', job: '2' });
  return h;
}

describe('determinism', () => {
  it('the same commands give deep-equal states, byte-identical snapshots and the same effects', () => {
    const h = busyHistory();
    const a = applyAll(emptyState(), h.log);
    const b = applyAll(emptyState(), h.log);
    expect(a.state).toEqual(b.state);
    expect(a.state).toEqual(h.state);
    expect(encodeState(a.state)).toEqual(encodeState(b.state));
    expect(a.effects).toEqual(b.effects);
    expect(a.results).toEqual(b.results);
  });

  it('replaying through encoded entries gives the same state as applying the objects', () => {
    const h = busyHistory();
    let s = emptyState();
    for (const { cmd, meta } of h.log) s = applyEntry(s, encodeCommand(cmd), meta).state;
    expect(encodeState(s)).toEqual(encodeState(h.state));
  });

  it('a snapshot decodes to a deep-equal state that keeps applying identically', () => {
    const h = busyHistory();
    const restored = decodeState(encodeState(h.state));
    expect(restored).toEqual(h.state);
    const next: Command = { kind: 'NodeHeartbeat', node: 'n2' };
    const meta = { index: h.index + 1, term: 2, timeMs: h.timeMs + 5 };
    expect(applyEntry(restored, encodeCommand(next), meta)).toEqual(applyEntry(h.state, encodeCommand(next), meta));
  });

  it('canonical JSON sorts keys and leaves out undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: undefined }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"z":1}]},"b":1}');
  });
});

describe('codec boundary', () => {
  it('refuses corrupt snapshots', () => {
    expect(() => decodeState(new TextEncoder().encode('{'))).toThrow(CairnError);
    expect(() => decodeState(new TextEncoder().encode('{"version":2}'))).toThrow(/unknown version/);
    expect(() => decodeState(new TextEncoder().encode('{"version":1}'))).toThrow(/lacks/);
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['not an object', 42, /unknown command kind/],
    ['an unknown kind', { kind: 'Explode' }, /unknown command kind Explode/],
    ['a missing field', { kind: 'NodeHeartbeat' }, /NodeHeartbeat.node must be a string/],
    ['a wrong type', { kind: 'JobPlaced', job: '1.1', attempt: '1', node: 'n' }, /JobPlaced.attempt must be a number/],
    ['a bad status', { kind: 'AttemptFinished', job: '1.1', attempt: 1, node: 'n', status: 'ok' }, /status must be succeeded/],
    ['a bad plan', { kind: 'RunSubmitted', plan: { instances: [] } }, /plan needs pipeline/],
    ['a non-finite number', { kind: 'NodeLabelsSet', node: 'n', labels: [], slots: Number.NaN }, /slots must be a number/],
  ];
  it.each(bad)('refuses %s', (_, v, why) => {
    expect(() => validateCommand(v)).toThrow(why);
  });

  it('drops null optional fields and unknown fields', () => {
    expect(validateCommand({ kind: 'NodeDown', node: 'n', reason: 'r', ifLastHeartbeatMs: null, extra: 1 })).toEqual({ kind: 'NodeDown', node: 'n', reason: 'r' });
  });

  it('a malformed entry is refused, not thrown, and the index still advances', () => {
    const s = emptyState();
    const out = applyEntry(s, new TextEncoder().encode('{"kind":"NodeHeartbeat"}'), { index: 1, term: 1, timeMs: 10 });
    expect(out.result).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect(out.state.appliedIndex).toBe(1);
    expect(applyEntry(s, new Uint8Array([0xff, 0xfe]), { index: 1, term: 1, timeMs: 10 }).result.ok).toBe(false);
  });

  it('round-trips a command of every kind', () => {
    const samples: Command[] = [
      { kind: 'NodeJoined', node: 'n', id: 'p', bootId: 'b', addrs: ['/ip4/127.0.0.1/tcp/1'], os: 'linux', arch: 'x64', labels: ['a'], slots: 1, role: 'voter' },
      { kind: 'NodeHeartbeat', node: 'n' },
      { kind: 'NodeLabelsSet', node: 'n', labels: [], slots: 2 },
      { kind: 'NodeDraining', node: 'n', draining: true },
      { kind: 'NodeRoleSet', node: 'n', role: 'learner' },
      { kind: 'NodeDown', node: 'n', reason: 'r', ifLastHeartbeatMs: 5 },
      { kind: 'NodeRemoved', node: 'n' },
      { kind: 'RunSubmitted', plan: plan([spec('a')]), pipeline: 'p', source: { repo: 'r', ref: null }, labels: ['x'], inputs: { a: 1 }, requestId: 'q', submittedBy: 'me' },
      { kind: 'JobPlaced', job: '1.1', attempt: 1, node: 'n' },
      { kind: 'AttemptStarted', job: '1.1', attempt: 1, node: 'n' },
      { kind: 'AttemptFinished', job: '1.1', attempt: 1, node: 'n', status: 'failed', exitCode: 1, outputs: { a: 'b' }, logDigest: 'd', error: 'e' },
      { kind: 'AttemptReports', node: 'n', reports: [{ job: '1.1', attempt: 1, status: 'running' }, { job: '1.1', attempt: 1, status: 'succeeded', exitCode: 0, outputs: { a: 'b' }, logDigest: 'd' }] },
      { kind: 'JobCancelled', job: '1', reason: 'r' },
      { kind: 'PipelineAdded', name: 'p', fileName: 'p.yml', text: 't', repo: 'r', ref: 'main' },
      { kind: 'PipelineRemoved', name: 'p' },
      { kind: 'ConfigSet', key: 'leaseMs', value: 1000 },
      { kind: 'Tick' },
    ];
    expect(samples.map((c) => c.kind).sort()).toEqual([...commandKinds].sort());
    for (const c of samples) expect(decodeCommand(encodeCommand(c))).toEqual(c);
  });
});
