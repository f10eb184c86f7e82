/**
 * `cairn node start --detach` returns once the API answers and leaves a pidfile and a log file;
 * `cairn node stop` stops it through the pidfile and waits for its clean exit.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { api, assertBuilt, cli, freePort, waitFor } from './cluster-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'cairn-detach-'));
const dataDir = join(dir, 'solo');
let pid: number | null = null;

function alive(p: number): boolean {
  try {
    process.kill(p, 0);
    return true;
  } catch {
    return false;
  }
}

afterAll(() => {
  if (pid !== null && alive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('cairn node start --detach / cairn node stop', () => {
  it('detaches, answers, runs a job, then stops cleanly through the pidfile', async () => {
    assertBuilt();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const start = await cli(['node', 'start', '--name', 'solo', '--data-dir', dataDir, '--api', `127.0.0.1:${port}`, '--slots', '1', '--detach'], 45_000);
    expect(start.stderr).toBe('');
    expect(start.code).toBe(0);
    const m = /node started \(pid (\d+)\), API (\S+), log (\S+)/.exec(start.stdout);
    expect(m).not.toBeNull();
    pid = Number(m![1]);
    expect(m![2]).toBe(url);
    expect(m![3]).toBe(join(dataDir, 'node.log'));
    // The command returned: the node lives on in the background, owning its data dir.
    expect(alive(pid)).toBe(true);
    expect(readFileSync(join(dataDir, 'node.pid'), 'utf8').trim()).toBe(String(pid));
    expect(existsSync(join(dataDir, 'cluster.key'))).toBe(true);
    expect((await api<{ ok: boolean; node: string }>(url, '/healthz')).body).toMatchObject({ ok: true, node: 'solo' });

    const sub = await api<{ id: string }>(url, '/v1/jobs', { pipeline: 'name: one\njobs:\n  one:\n    steps:\n      - run: echo detached-ok\n', file: 'one.yml' });
    expect(sub.status).toBe(201);
    await waitFor('the job to succeed', async () => (await api<{ state: string }>(url, `/v1/jobs/${sub.body.id}`)).body.state === 'succeeded', 20_000);
    const logs = await cli(['--api', url, 'logs', sub.body.id]);
    expect(logs.stdout).toContain('detached-ok');

    // A second node on the same data dir is refused while the first runs.
    const again = await cli(['node', 'start', '--name', 'solo', '--data-dir', dataDir, '--api', `127.0.0.1:${await freePort()}`], 30_000);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already runs on this data directory/);

    const stop = await cli(['node', 'stop', '--data-dir', dataDir], 60_000);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain(`node ${pid} stopped`);
    expect(alive(pid)).toBe(false);
    expect(existsSync(join(dataDir, 'node.pid'))).toBe(false);
    // The log file holds the daemon's structured log, through its clean stop.
    const log = readFileSync(join(dataDir, 'node.log'), 'utf8');
    expect(log).toMatch(/"msg":"node started"/);
    expect(log).toMatch(/"msg":"node stopped"/);

    const none = await cli(['node', 'stop', '--data-dir', dataDir]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/no node is running/);
  });
});
