import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { markerSleep, processesWith, tempDir, waitFor } from './helpers.js';
import { runYaml, type PipelineRun } from './run-helpers.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function run(yaml: string, opts: Parameters<typeof runYaml>[1] = {}): Promise<PipelineRun> {
  const r = await runYaml(yaml, opts);
  cleanups.push(r.cleanup);
  return r;
}

function shared(): string {
  const t = tempDir('cairn-shared-');
  cleanups.push(t.cleanup);
  return t.dir;
}

/** A bash loop that waits (bounded) until `count` marker files exist in $SHARED/$1. */
const barrier = (dir: string, count: number): string =>
  `touch "$SHARED/${dir}/$RANDOM$RANDOM"; for i in $(seq 1 500); do [ "$(ls "$SHARED/${dir}" | wc -l)" -ge ${count} ] && exit 0; sleep 0.02; done; echo "only $(ls "$SHARED/${dir}" | wc -l) of ${count} ran at once"; exit 1`;

describe('runPlan: a true DAG', () => {
  it('runs independent jobs at the same time (5 at once)', async () => {
    const dir = shared();
    mkdirSync(join(dir, 'five'));
    const jobs = [1, 2, 3, 4, 5].map((n) => `  j${n}:\n    steps:\n      - run: '${barrier('five', 5)}'\n`).join('');
    const r = await run(`jobs:\n${jobs}`, { env: { SHARED: dir } });
    expect(r.result.conclusion).toBe('success');
    expect(readdirSync(join(dir, 'five')).length).toBe(5);
  });

  it('starts a job the moment its own needs are done, not when the whole wave is', async () => {
    const dir = shared();
    mkdirSync(join(dir, 'gate'));
    // slow waits until after-fast has run, so it can only succeed if after-fast does not wait for it.
    const r = await run(
      `
jobs:
  slow:
    steps:
      - run: for i in $(seq 1 500); do [ -e "$SHARED/gate/after-fast" ] && exit 0; sleep 0.02; done; exit 1
  fast:
    steps:
      - run: "true"
  after-fast:
    needs: fast
    steps:
      - run: touch "$SHARED/gate/after-fast"
  last:
    needs: [slow, after-fast]
    steps:
      - run: echo done
`,
      { env: { SHARED: dir } },
    );
    expect(r.result.jobs.map((j) => [j.key, j.conclusion])).toEqual([
      ['slow', 'success'],
      ['fast', 'success'],
      ['after-fast', 'success'],
      ['last', 'success'],
    ]);
  });

  it('respects the parallel limit', async () => {
    const dir = shared();
    mkdirSync(join(dir, 'lim'));
    const step = `n=$(ls "$SHARED/lim" | wc -l); touch "$SHARED/lim/$GITHUB_JOB"; [ "$n" -lt 2 ] || { echo "too many"; exit 1; }; sleep 0.1; rm "$SHARED/lim/$GITHUB_JOB"`;
    const jobs = [1, 2, 3, 4].map((n) => `  j${n}:\n    steps:\n      - run: '${step}'\n`).join('');
    const r = await run(`jobs:\n${jobs}`, { env: { SHARED: dir }, parallel: 2 });
    expect(r.result.conclusion).toBe('success');
  });
});

describe('runPlan: matrix strategy', () => {
  it('fail-fast cancels the other instances of the job', async () => {
    const mark = markerSleep();
    const r = await run(`
jobs:
  t:
    strategy:
      matrix:
        n: [1, 2, 3]
    steps:
      - run: |
          if [ "\${{ matrix.n }}" = 1 ]; then sleep 0.3; exit 1; fi
          sleep ${mark}
`);
    expect(r.result.jobs.map((j) => j.conclusion)).toEqual(['failure', 'cancelled', 'cancelled']);
    expect(r.result.conclusion).toBe('failure');
    expect(processesWith(mark)).toEqual([]);
  });

  it('without fail-fast the other instances finish', async () => {
    const r = await run(`
jobs:
  t:
    strategy:
      fail-fast: false
      matrix:
        n: [1, 2, 3]
    steps:
      - run: '[ "\${{ matrix.n }}" != 1 ] && sleep 0.2'
`);
    expect(r.result.jobs.map((j) => j.conclusion)).toEqual(['failure', 'success', 'success']);
  });

  it('max-parallel caps the instances running at once', async () => {
    const dir = shared();
    mkdirSync(join(dir, 'mp'));
    const r = await run(
      `
jobs:
  t:
    strategy:
      max-parallel: 1
      matrix:
        n: [1, 2, 3]
    steps:
      - run: |
          [ -z "$(ls "$SHARED/mp")" ] || { echo "another instance is running"; exit 1; }
          touch "$SHARED/mp/\${{ matrix.n }}"; sleep 0.1; rm "$SHARED/mp/\${{ matrix.n }}"
  other:
    steps:
      - run: echo independent
`,
      { env: { SHARED: dir } },
    );
    expect(r.result.conclusion).toBe('success');
  });
});

describe('runPlan: cancellation', () => {
  it('cancel ends every process of running steps, runs always() steps, starts nothing new', async () => {
    const mark = markerSleep();
    const dir = shared();
    const ac = new AbortController();
    const running = run(
      `
jobs:
  a:
    steps:
      - run: |
          sleep ${mark} &
          sleep ${mark} &
          touch "$SHARED/started"
          sleep ${mark}
      - if: always()
        run: echo "cleanup ran"
  b:
    needs: a
    steps:
      - run: echo never
`,
      { env: { SHARED: dir }, signal: ac.signal },
    );
    expect(await waitFor(() => processesWith(mark).length === 3, 10_000)).toBe(true);
    ac.abort();
    const r = await running;
    expect(r.result.conclusion).toBe('cancelled');
    expect(r.result.jobs.map((j) => j.conclusion)).toEqual(['cancelled', 'cancelled']);
    expect(r.result.jobs[0]!.steps.map((s) => s.conclusion)).toEqual(['cancelled', 'success']);
    expect(r.log('a').toString()).toContain('cleanup ran');
    expect(processesWith(mark)).toEqual([]);
  });
});
