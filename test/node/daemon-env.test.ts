/**
 * The daemon's process settings (node/daemon-process.ts): `cairn node start` re-executes itself
 * with V8 flags and glibc malloc settings, and the jobs it spawns inherit neither those settings
 * nor the re-execution marker. A real one-node cluster runs a job that records its environment.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobEnded, TestCluster } from './cluster-harness.js';

const jobWaitMs = 30_000;
const mallocNames = ['MALLOC_ARENA_MAX', 'MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_'];

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await TestCluster.start([{ name: 'solo' }], 'cairn-daemon-env-');
}, 90_000);

afterAll(async () => {
  await cluster?.dispose();
});

/** The environment a process was executed with, from /proc. */
function environOf(pid: number): Map<string, string> {
  const pairs = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return new Map(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
}

describe('cairn node start', () => {
  it('runs with its V8 flags and malloc settings', () => {
    const pid = cluster.node('solo').pid;
    const env = environOf(pid);
    expect(mallocNames.map((n) => env.get(n))).toEqual(['1', '131072', '131072']);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline).toContain('--max-semi-space-size=1');
    expect(cmdline).toContain('--max-opt=2');
  });

  it('spawns jobs without them', async () => {
    const out = join(cluster.dir, 'job-env.txt');
    const pipeline = `name: env\njobs:\n  t:\n    steps:\n      - run: env > '${out}'\n`;
    const sub = await cluster.submit('solo', pipeline);
    expect(sub.status).toBe(201);
    const job = await jobEnded(cluster.node('solo').apiUrl, sub.body.jobs[0]!, jobWaitMs);
    expect(job.state).toBe('succeeded');
    const names = readFileSync(out, 'utf8').split('\n').map((l) => l.slice(0, l.indexOf('=')));
    expect(names).toContain('PATH');
    for (const n of [...mallocNames, 'CAIRN_DAEMON_REEXEC']) expect(names).not.toContain(n);
  });
});
