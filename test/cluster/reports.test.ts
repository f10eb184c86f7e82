import { describe, expect, it } from 'vitest';
import { attemptReportsMax, decodeCommand, encodeCommand, type Command } from '../../src/cluster/index.js';
import { Harness, plan, spec } from './fixtures.js';

describe('AttemptReports: a node\'s reports in one entry', () => {
  it('applies each report as its own command would be, in order, with one result each', () => {
    const h = new Harness();
    h.join('n1');
    h.submit(plan([spec('a'), spec('b')]));
    const out = h.ok({
      kind: 'AttemptReports', node: 'n1', reports: [
        { job: '1.1', attempt: 1, status: 'running' },
        { job: '1.1', attempt: 1, status: 'succeeded', exitCode: 0, outputs: { v: '1' }, logDigest: 'sha256:x' },
        { job: '1.2', attempt: 1, status: 'failed', exitCode: 3 },
        // Fenced like AttemptFinished: a second end of the same attempt is refused, alone.
        { job: '1.1', attempt: 1, status: 'failed', exitCode: 1 },
      ],
    });
    expect(out.result.ok).toBe(true);
    const results = out.result.ok ? out.result.reports! : [];
    expect(results.map((r) => (r.ok ? 'ok' : r.data.reason))).toEqual(['ok', 'ok', 'ok', 'already-ended']);
    expect(h.job('1.1')).toMatchObject({ state: 'succeeded', outputs: { v: '1' } });
    expect(h.job('1.1').attempts[0]).toMatchObject({ state: 'succeeded', logDigest: 'sha256:x' });
    expect(h.job('1.1').attempts[0]!.startedAtMs).not.toBeNull();
    // 1.2 finished without a started report: that is accepted (the start was folded in).
    expect(h.job('1.2')).toMatchObject({ state: 'failed' });
    expect(h.state.nodes.n1!.running).toBe(0);
    expect(h.effectsOf('history').map((e) => [e.record.job, e.record.state])).toEqual([['1.1', 'succeeded'], ['1.2', 'failed']]);
  });

  it('a running report carries the node\'s time of the start, kept between the placement and the entry', () => {
    const startedAt = (startedAtMs: number | undefined, dtMs: number): number | null => {
      const h = new Harness();
      h.join('n1');
      h.submit(plan([spec('a')]));
      const placedAtMs = h.job('1.1').attempts[0]!.placedAtMs;
      h.ok({ kind: 'AttemptReports', node: 'n1', reports: [{ job: '1.1', attempt: 1, status: 'running', ...(startedAtMs === undefined ? {} : { startedAtMs: placedAtMs + startedAtMs }) }] }, dtMs);
      const a = h.job('1.1').attempts[0]!;
      expect(a.state).toBe('running');
      return a.startedAtMs === null ? null : a.startedAtMs - placedAtMs;
    };
    // Reported 40 ms after the work started (the report waits; see node/job-host.ts).
    expect(startedAt(3, 43)).toBe(3);
    // A node's clock behind the placing node's, or ahead of the entry's: kept within them.
    expect(startedAt(-500, 10)).toBe(0);
    expect(startedAt(900, 10)).toBe(10);
    // Without it (an older node's report), the entry's time.
    expect(startedAt(undefined, 10)).toBe(10);
  });

  it('a report from a node that does not hold the attempt is refused inside the batch', () => {
    const h = new Harness();
    h.join('n1');
    h.join('n2');
    h.submit(plan([spec('a')]));
    const node = h.job('1.1').node!;
    const other = node === 'n1' ? 'n2' : 'n1';
    const out = h.ok({ kind: 'AttemptReports', node: other, reports: [{ job: '1.1', attempt: 1, status: 'succeeded', exitCode: 0 }] });
    expect(out.result.ok && out.result.reports![0]).toMatchObject({ ok: false, data: { reason: 'wrong-node' } });
    expect(h.job('1.1').state).toBe('placed');
  });

  it('refuses malformed batches at the codec, alike on every node', () => {
    const ok: Command = { kind: 'AttemptReports', node: 'n1', reports: [{ job: '1.1', attempt: 1, status: 'running' }] };
    expect(decodeCommand(encodeCommand(ok))).toEqual(ok);
    const bad = (reports: unknown): (() => Uint8Array) => () => encodeCommand({ kind: 'AttemptReports', node: 'n1', reports } as unknown as Command);
    expect(bad([])).toThrow(/1 to 64 reports/);
    expect(bad(Array.from({ length: attemptReportsMax + 1 }, () => ({ job: 'j', attempt: 1, status: 'running' })))).toThrow(/reports/);
    expect(bad([{ job: '1.1', attempt: 1, status: 'done' }])).toThrow(/status is running/);
    expect(bad([{ job: '1.1', attempt: '1', status: 'running' }])).toThrow(/attempt is a number/);
    expect(bad([{ job: '1.1', attempt: 1, status: 'running', startedAtMs: '5' }])).toThrow(/startedAtMs is a number/);
    expect(bad([{ job: '1.1', attempt: 1, status: 'failed', outputs: { a: 1 } }])).toThrow(/outputs is an object of strings/);
  });
});
