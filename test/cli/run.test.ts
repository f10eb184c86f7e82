import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cairn, project, type Project } from './run-helpers.js';

const projects: Project[] = [];
afterEach(() => {
  for (const p of projects.splice(0)) p.cleanup();
});
beforeAll(assertBuilt);

function proj(files: Record<string, string> = {}): Project {
  const p = project(files);
  projects.push(p);
  return p;
}

function runDir(p: Project): string {
  const runs = readdirSync(join(p.dir, '.cairn', 'runs'));
  expect(runs.length).toBe(1);
  return join(p.dir, '.cairn', 'runs', runs[0]!);
}

const twoJobs = `
jobs:
  build:
    outputs:
      v: \${{ steps.s.outputs.v }}
    steps:
      - id: s
        run: echo "v=7" >> "$GITHUB_OUTPUT"; echo built
  test:
    needs: build
    strategy:
      matrix:
        py: ['3.10', '3.11']
    steps:
      - shell: python
        run: print("test \${{ matrix.py }} v\${{ needs.build.outputs.v }}")
`;

describe('cairn run', () => {
  it('runs the sample pipeline (npm start) and exits 0 with a summary table', () => {
    const p = proj();
    const r = cairn(['run', resolve(import.meta.dirname, '../../examples/hello.yml')], p.dir);
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/\[setup\] computed version 1\.0\.42/);
    expect(r.stdout).toMatch(/\[test \(2\)\] testing shard 2\/3 of version 1\.0\.42/);
    expect(r.stdout).toMatch(/\[report\] version 1\.0\.42: lint success, tests success/);
    expect(r.stdout).toMatch(/JOB\s+STATUS\s+DURATION\s+LOG/);
    expect(r.stdout).toMatch(/report\s+success/);
    expect(r.stdout).toMatch(/run \S+ succeeded in/);
    expect(r.stdout).not.toContain('\u001b[');
    const runId = readdirSync(join(p.dir, '.cairn', 'runs'))[0]!;
    expect(existsSync(join(tmpdir(), `cairn-${runId}`))).toBe(false);
    const logs = readdirSync(runDir(p)).sort();
    expect(logs).toEqual(['lint.log', 'report.log', 'report.summary.md', 'setup.log', 'test-1.log', 'test-2.log', 'test-3.log']);
  });

  it('finds cairn.yml in the current directory, passes outputs, prefixes lines per job', () => {
    const p = proj({ 'cairn.yml': twoJobs });
    const r = cairn(['run'], p.dir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('[build] built\n');
    expect(r.stdout).toContain('[test (3.10)] test 3.10 v7\n');
    expect(r.stdout).toContain('[test (3.11)] test 3.11 v7\n');
    expect(readFileSync(join(runDir(p), 'test-3.11.log'), 'utf8')).toContain('test 3.11 v7');
  });

  it('runs every .github/workflows file when there is no cairn.yml, with one summary', () => {
    const p = proj({
      '.github/workflows/a.yml': 'jobs:\n  one:\n    steps:\n      - run: echo from-a\n',
      '.github/workflows/b.yaml': 'jobs:\n  one:\n    steps:\n      - run: echo from-b\n',
    });
    const r = cairn(['run'], p.dir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('[a/one] from-a');
    expect(r.stdout).toContain('[b/one] from-b');
    expect(r.stdout).toMatch(/a\/one\s+success[\s\S]*b\/one\s+success/);
  });

  it('runs a shebang script as a one-step pipeline', () => {
    const p = proj();
    p.write('check.py', '#!/usr/bin/env python3\nimport sys\nprint("script says", "${{ not an expression }}")\nsys.exit(0)\n', 0o755);
    const r = cairn(['run', 'check.py'], p.dir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('[check] script says ${{ not an expression }}');
  });

  it('exits 1 when a job fails, and skips what needs it', () => {
    const p = proj({ 'cairn.yml': 'jobs:\n  a:\n    steps:\n      - run: echo boom; exit 5\n  b:\n    needs: a\n    steps:\n      - run: echo no\n' });
    const r = cairn(['run'], p.dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('[a] ✗ Run echo boom; exit 5: exit code 5');
    expect(r.stdout).toMatch(/b\s+skipped/);
    expect(r.stdout).toMatch(/failed \(1 job\)/);
  });

  it('--dry-run prints the DAG after matrix expansion and runs nothing', () => {
    const p = proj({ 'cairn.yml': twoJobs.replace('echo built', 'touch ran') });
    const r = cairn(['run', '--dry-run'], p.dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('plan: 3 job instances');
    expect(r.stdout).toMatch(/test \(3\.11\)\n {2}needs: {2}build\n/);
    const j = cairn(['--json', 'run', '--dry-run'], p.dir);
    const doc = JSON.parse(j.stdout) as { jobs: Array<{ key: string; needs: string[]; matrix: Record<string, unknown>; steps: string[] }> };
    expect(doc.jobs.map((x) => x.key)).toEqual(['build', 'test (3.10)', 'test (3.11)']);
    expect(doc.jobs[2]).toMatchObject({ needs: ['build'], matrix: { py: '3.11' } });
    expect(readdirSync(p.dir)).toEqual(['cairn.yml']);
  });

  it('--job runs a job and what it needs; --matrix narrows the matrix', () => {
    const p = proj({ 'cairn.yml': twoJobs + '  other:\n    steps:\n      - run: echo other\n' });
    const r = cairn(['--json', 'run', '--job', 'test', '--matrix', 'py=3.11'], p.dir);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { jobs: Array<{ key: string; status: string }> };
    expect(doc.jobs.map((j) => [j.key, j.status])).toEqual([
      ['build', 'success'],
      ['test (3.11)', 'success'],
    ]);
  });

  it('--json prints one summary document on stdout (live output on stderr)', () => {
    const p = proj({ 'cairn.yml': twoJobs });
    const r = cairn(['--json', 'run'], p.dir);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Record<string, unknown> & { jobs: Array<Record<string, unknown>> };
    expect(doc).toMatchObject({ conclusion: 'success', exitCode: 0 });
    expect(doc.jobs[0]).toMatchObject({ key: 'build', status: 'success', outputs: { v: '7' } });
    expect(doc.jobs[0]!.steps).toEqual([expect.objectContaining({ id: 's', exitCode: 0, conclusion: 'success' })]);
    expect(r.stderr).toContain('[build] built');
  });

  it('--env sets variables; --secret values are masked everywhere, even split across writes', () => {
    const secret = 'Tr0ub4dor-and-3';
    const p = proj({
      'cairn.yml': `
jobs:
  a:
    steps:
      - run: |
          echo "mode=$MODE"
          printf 'token: Tr0ub4'
          sleep 0.05
          printf 'dor-and-3 done\\n'
          echo "ctx: \${{ secrets.API_TOKEN }}"
`,
    });
    const r = cairn(['run', '--env', 'MODE=fast', '--secret', `API_TOKEN=${secret}`], p.dir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('[a] mode=fast');
    expect(r.stdout).toContain('[a] token: *** done');
    expect(r.stdout).toContain('[a] ctx: ***');
    const log = readFileSync(join(runDir(p), 'a.log'), 'utf8');
    for (const out of [r.stdout, r.stderr, log]) expect(out).not.toContain(secret);
    expect(log).toContain('token: *** done');
  });
});

describe('cairn run: invalid input exits 2 before anything runs', () => {
  it.each([
    ['malformed YAML', 'jobs:\n  a:\n    steps: [\n', /cairn\.yml:\d+:\d+/],
    ['an unknown shell', 'jobs:\n  a:\n    steps:\n      - shell: fish\n        run: echo hi\n', /cairn\.yml:4:\d+.*shell.*fish/s],
    ['a needs cycle', 'jobs:\n  a:\n    needs: b\n    steps: [{run: echo}]\n  b:\n    needs: a\n    steps: [{run: echo}]\n', /cycle/],
    ['a missing local action', 'jobs:\n  a:\n    steps:\n      - uses: ./nope\n', /nope/],
    ['an unknown uses', 'jobs:\n  a:\n    steps:\n      - uses: someone/action@v1\n', /someone\/action/],
  ])('%s', (_name, yaml, message) => {
    const p = proj({ 'cairn.yml': yaml });
    const r = cairn(['run'], p.dir);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(readdirSync(p.dir)).toEqual(['cairn.yml']);
  });

  it('a missing pipeline, a bad --env, an unknown --job', () => {
    const empty = proj();
    expect(cairn(['run'], empty.dir).code).toBe(2);
    expect(cairn(['run', 'nope.yml'], empty.dir).stderr).toMatch(/nope\.yml/);
    const p = proj({ 'cairn.yml': twoJobs });
    expect(cairn(['run', '--env', 'NOEQUALS'], p.dir)).toMatchObject({ code: 2, stderr: expect.stringMatching(/KEY=VALUE/) });
    expect(cairn(['run', '--job', 'ghost'], p.dir)).toMatchObject({ code: 2, stderr: expect.stringMatching(/ghost/) });
  });
});
