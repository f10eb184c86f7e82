import { describe, expect, it } from 'vitest';
import type { Command, CommandResult } from '../../src/cluster/index.js';
import { AttemptReporter, reportBatchesInFlightMax } from '../../node/attempt-reporter.js';

/** A proposer whose proposals resolve when the test says (as Raft commits them). */
function heldProposer(): { sent: Command[]; settle(r: (cmd: Command) => CommandResult): void; propose(cmd: Command): Promise<CommandResult> } {
  const sent: Command[] = [];
  const waiting: Array<{ cmd: Command; resolve(r: CommandResult): void }> = [];
  return {
    sent,
    settle(r) {
      for (const w of waiting.splice(0)) w.resolve(r(w.cmd));
    },
    propose(cmd) {
      sent.push(cmd);
      return new Promise((resolve) => waiting.push({ cmd, resolve }));
    },
  };
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));
const allOk = (cmd: Command): CommandResult => ({ ok: true, reports: cmd.kind === 'AttemptReports' ? cmd.reports.map(() => ({ ok: true })) : [] });

describe('AttemptReporter', () => {
  it('sends reports at once while fewer than the maximum of batches are on their way, and the ones that come meanwhile together, each with its own result', async () => {
    expect(reportBatchesInFlightMax).toBe(2);
    const p = heldProposer();
    const r = new AttemptReporter('n1', (c) => p.propose(c));
    const first = r.report({ job: '1.1', attempt: 1, status: 'running' });
    await flush();
    expect(p.sent).toEqual([{ kind: 'AttemptReports', node: 'n1', reports: [{ job: '1.1', attempt: 1, status: 'running' }] }]);
    // A second batch goes while the first is being committed.
    const second = r.report({ job: '2.1', attempt: 1, status: 'succeeded', exitCode: 0 });
    await flush();
    expect(p.sent[1]).toEqual({ kind: 'AttemptReports', node: 'n1', reports: [{ job: '2.1', attempt: 1, status: 'succeeded', exitCode: 0 }] });
    // These come while both are: they wait, and go as one.
    const later = [r.report({ job: '3.1', attempt: 1, status: 'succeeded', exitCode: 0 }), r.report({ job: '4.1', attempt: 1, status: 'running' })];
    await flush();
    expect(p.sent).toHaveLength(2);
    p.settle(allOk);
    expect(await Promise.all([first, second])).toEqual([{ ok: true }, { ok: true }]);
    await flush();
    expect(p.sent[2]).toEqual({ kind: 'AttemptReports', node: 'n1', reports: [{ job: '3.1', attempt: 1, status: 'succeeded', exitCode: 0 }, { job: '4.1', attempt: 1, status: 'running' }] });
    p.settle(() => ({ ok: true, reports: [{ ok: true }, { ok: false, code: 'CONFLICT', message: 'stale', data: { reason: 'stale-attempt' } }] as CommandResult[] }));
    expect(await Promise.all(later)).toEqual([{ ok: true }, { ok: false, code: 'CONFLICT', message: 'stale', data: { reason: 'stale-attempt' } }]);
    expect(p.sent).toHaveLength(3);
  });

  it('holds an attempt\'s next report while one of its batches is on its way, so its reports apply in order', async () => {
    const p = heldProposer();
    const r = new AttemptReporter('n1', (c) => p.propose(c));
    const started = r.report({ job: '1.1', attempt: 1, status: 'running', startedAtMs: 5 });
    await flush();
    const ended = r.report({ job: '1.1', attempt: 1, status: 'succeeded', exitCode: 0 });
    const other = r.report({ job: '2.1', attempt: 1, status: 'running' });
    await flush();
    // 2.1 goes at once; 1.1's end waits for its start to be applied.
    expect(p.sent.map((c) => (c.kind === 'AttemptReports' ? c.reports.map((x) => `${x.job} ${x.status}`) : []))).toEqual([['1.1 running'], ['2.1 running']]);
    p.settle(allOk);
    expect(await Promise.all([started, other])).toEqual([{ ok: true }, { ok: true }]);
    await flush();
    expect(p.sent[2]).toEqual({ kind: 'AttemptReports', node: 'n1', reports: [{ job: '1.1', attempt: 1, status: 'succeeded', exitCode: 0 }] });
    p.settle(allOk);
    expect(await ended).toEqual({ ok: true });
  });

  it('sends the reports made in one synchronous run as one batch (an attempt\'s folded start and its end)', async () => {
    const p = heldProposer();
    const r = new AttemptReporter('n1', (c) => p.propose(c));
    const start = r.report({ job: '1.1', attempt: 1, status: 'running', startedAtMs: 5 });
    const end = r.report({ job: '1.1', attempt: 1, status: 'succeeded', exitCode: 0 });
    await flush();
    expect(p.sent).toEqual([{ kind: 'AttemptReports', node: 'n1', reports: [{ job: '1.1', attempt: 1, status: 'running', startedAtMs: 5 }, { job: '1.1', attempt: 1, status: 'succeeded', exitCode: 0 }] }]);
    p.settle(allOk);
    expect(await Promise.all([start, end])).toEqual([{ ok: true }, { ok: true }]);
  });

  it('tries a batch again when no leader took it, then gives each report the refusal', async () => {
    const p = heldProposer();
    const r = new AttemptReporter('n1', (c) => p.propose(c));
    const res = r.report({ job: '1.1', attempt: 1, status: 'failed', exitCode: 1 });
    for (let i = 0; i < 5; i++) {
      await flush();
      p.settle(() => ({ ok: false, code: 'NO_LEADER', message: 'no leader', data: {} }));
    }
    expect(await res).toMatchObject({ ok: false, code: 'NO_LEADER' });
    expect(p.sent).toHaveLength(5);
  });
});
