/**
 * JobHost.reconcile against the real executor and log service: the node and the cluster state
 * disagree (a start or a stop that never reached the node) and the heartbeat's reconcile puts
 * it right. The state machine is the pure one, applied here as a committed log would be.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartAttemptEffect } from '../../src/cluster/index.js';
import { parsePipeline, planPipeline } from '../../src/pipeline/index.js';
import { JobHost } from '../../node/job-host.js';
import { Harness } from '../cluster/fixtures.js';
import { startCluster, stopCluster, type TestNode } from '../logstore/cluster.js';
import { waitFor } from './cluster-harness.js';

let dir: string;
let nodes: TestNode[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-jobhost-'));
  nodes = await startCluster(dir, [0]);
}, 30_000);

afterAll(async () => {
  await stopCluster(nodes);
  rmSync(dir, { recursive: true, force: true });
});

const planOf = (run: string) => planPipeline(parsePipeline(`name: r\njobs:\n  j:\n    steps:\n      - run: ${run}\n`, 'r.yml'), { inputs: {} });

/** A host for node `node` with `logs` as its log service (job ids start afresh with each harness, so a log service serves one test's job 1.1 once). */
function setUp(node = 'n1', logs: TestNode = nodes[0]!, runningReportDelayMs?: number): { h: Harness; host: JobHost; warnings: string[] } {
  const h = new Harness();
  const warnings: string[] = [];
  h.join(node);
  const host = new JobHost({
    node,
    workDir: join(dir, node, 'work'),
    // Proposals are applied at once, as a committed entry would be.
    propose: async (cmd) => h.apply(cmd).result,
    log: { info: () => undefined, warn: (_o, m) => warnings.push(m) },
    openLog: (job, attempt) => logs.logs.open(job, attempt, { external: true }),
    ...(runningReportDelayMs === undefined ? {} : { runningReportDelayMs }),
  });
  return { h, host, warnings };
}

const lastStart = (h: Harness): StartAttemptEffect => h.effectsOf('start-attempt').at(-1)!;

describe('JobHost.reconcile', () => {
  it('reports an attempt it never started as lost; the cluster places it again and it runs', async () => {
    const { h, host, warnings } = setUp();
    h.submit(planOf('"true"'));
    // The start-attempt effect of attempt 1 never reaches the host.
    host.reconcile(h.state);
    await waitFor('attempt 1 to be reported lost', () => h.job('1.1').attempts.length === 2, 10_000);
    expect(h.job('1.1').attempts[0]).toMatchObject({ state: 'lost', reason: 'lost: not running on n1 (its start was missed)' });
    expect(warnings).toContain('the cluster has an attempt active here that this node does not run: reporting it lost');
    host.start(lastStart(h));
    await waitFor('attempt 2 to succeed', () => h.job('1.1').state === 'succeeded', 20_000);
    expect(h.job('1.1').attempts.map((a) => a.state)).toEqual(['lost', 'succeeded']);
    // Once agreed, reconcile does nothing.
    host.reconcile(h.state);
    expect(h.job('1.1').attempts).toHaveLength(2);
  }, 40_000);

  it('stops an attempt the cluster ended without telling it', async () => {
    const { h, host, warnings } = setUp();
    h.submit(planOf('sleep 30'));
    host.start(lastStart(h));
    await waitFor('the attempt to run', () => h.job('1.1').state === 'running', 10_000);
    // Cancelled in the log; its stop-attempt effect never reaches the host.
    h.ok({ kind: 'JobCancelled', job: '1.1', reason: 'test' });
    expect(host.count).toBe(1);
    host.reconcile(h.state);
    await waitFor('the process to be stopped', () => host.count === 0, 10_000);
    expect(h.job('1.1').state).toBe('cancelled');
    expect(warnings).toContain('attempt report refused');
  }, 40_000);
});

describe('JobHost without a log', () => {
  it('does not run an attempt whose log cannot be opened (the log is the record) and reports it failed', async () => {
    const h = new Harness();
    h.join('n4');
    const host = new JobHost({
      node: 'n4',
      workDir: join(dir, 'n4', 'work'),
      propose: async (cmd) => h.apply(cmd).result,
      log: { info: () => undefined, warn: () => undefined },
      openLog: () => Promise.reject(new Error('no space left for the log')),
    });
    const marker = join(dir, 'n4-ran');
    h.submit(planOf(`touch ${marker}`));
    host.start(lastStart(h));
    await waitFor('the attempt to end', () => h.job('1.1').state === 'failed', 10_000);
    expect(h.job('1.1').attempts[0]).toMatchObject({ state: 'failed', reason: expect.stringContaining("the job's log could not be opened: no space left for the log") });
    expect(existsSync(marker)).toBe(false);
    await host.drain(1000);
    await host.close();
  }, 20_000);
});

describe('JobHost reports', () => {
  let own: TestNode[];
  beforeAll(async () => {
    own = await startCluster(join(dir, 'reports'), [0, 0]);
  }, 30_000);
  afterAll(() => stopCluster(own));

  const reportsOf = (h: Harness): Array<Array<{ status: string; startedAtMs?: number | null }>> =>
    h.log.flatMap(({ cmd }) => (cmd.kind === 'AttemptReports' ? [cmd.reports] : []));

  it('an attempt that ends within the running report\'s delay sends its start and its end as one entry', async () => {
    // A delay no step start-up could outlast, however loaded the machine.
    const { h, host } = setUp('n2', own[0]!, 600_000);
    const before = Date.now();
    h.submit(planOf('"true"'));
    host.start(lastStart(h));
    await waitFor('the attempt to succeed', () => h.job('1.1').state === 'succeeded', 20_000);
    const reports = reportsOf(h);
    expect(reports.map((batch) => batch.map((r) => r.status))).toEqual([['running', 'succeeded']]);
    // The start it carries is the node's time of the step's start, not the report's.
    expect(reports[0]![0]!.startedAtMs).toBeGreaterThanOrEqual(before);
    expect(h.job('1.1').attempts[0]!.startedAtMs).not.toBeNull();
  }, 40_000);

  it('a longer attempt is reported running while it runs, with the time its step started', async () => {
    const delayMs = 50;
    const { h, host } = setUp('n3', own[1]!, delayMs);
    h.submit(planOf('sleep 2'));
    const before = Date.now();
    host.start(lastStart(h));
    await waitFor('the attempt to be running', () => h.job('1.1').state === 'running', 10_000);
    const seenAt = Date.now();
    const reports = reportsOf(h);
    expect(reports.map((batch) => batch.map((r) => r.status))).toEqual([['running']]);
    const startedAtMs = reports[0]![0]!.startedAtMs!;
    expect(startedAtMs).toBeGreaterThanOrEqual(before);
    // It went after the delay, carrying the earlier start.
    expect(seenAt - startedAtMs).toBeGreaterThanOrEqual(delayMs);
    await waitFor('the attempt to succeed', () => h.job('1.1').state === 'succeeded', 20_000);
    expect(reportsOf(h).map((batch) => batch.map((r) => r.status))).toEqual([['running'], ['succeeded']]);
  }, 40_000);
});
