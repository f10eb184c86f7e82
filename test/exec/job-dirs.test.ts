import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JobDirPool, runJob, type JobDirs, type JobResult } from '../../src/exec/index.js';
import { parsePipeline, planPipeline } from '../../src/pipeline/index.js';
import { tempDir } from './helpers.js';
import { runYaml } from './run-helpers.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function scratch(): string {
  const t = tempDir('cairn-dirs-');
  cleanups.push(t.cleanup);
  return t.dir;
}

/** Runs a job in a pool's directories, as the node's job host does: the executor does not make them. */
async function runIn(dirs: JobDirs, yaml: string, source: string): Promise<JobResult> {
  const pipeline = parsePipeline(yaml, 'dirs.yml');
  const instance = planPipeline(pipeline, { inputs: {} }).instances[0]!;
  return runJob({ pipeline, instance, workspace: dirs.workspace, tempDir: dirs.tempDir, dirsExist: true, logFile: join(source, `${Math.random()}.log`), sourceDir: source, needs: {} });
}

/** Every path under `dir` with its inode number. */
function inodes(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      out.set(p, statSync(p).ino);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

const twoSteps = `jobs:
  one:
    steps:
      - run: |
          echo secret-out > out.txt && mkdir -p deep/er && echo x > deep/er/f
          echo "SECRET=job-one-value" >> "$GITHUB_ENV"
          echo "v=job-one-output" >> "$GITHUB_OUTPUT"
          echo "job one summary" >> "$GITHUB_STEP_SUMMARY"
          echo leftover > "$RUNNER_TEMP/mine.txt"
      - run: echo "second=job-one" >> "$GITHUB_OUTPUT"
`;

describe('JobDirPool', () => {
  it('hands a finished job its directories back empty, keeping the executor files in place, truncated', async () => {
    const root = scratch();
    const pool = new JobDirPool(join(root, 'pool'));
    const first = pool.take();
    expect((await runIn(first, twoSteps, root)).conclusion).toBe('success');
    const before = inodes(first.root);
    const stepFile = join(first.tempDir, '_runner_file_commands', 'set_output_2');
    expect(readFileSync(stepFile, 'utf8')).toBe('second=job-one\n');

    await pool.give(first);
    const again = pool.take();
    expect(again).toEqual(first);
    expect(readdirSync(first.workspace)).toEqual([]);
    // Only the executor's own files are left, each empty and the same inode as before.
    const left = inodes(first.root);
    expect([...left.keys()].filter((p) => statSync(p).isFile()).every((p) => statSync(p).size === 0)).toBe(true);
    expect(existsSync(join(first.tempDir, 'mine.txt'))).toBe(false);
    expect([...left.keys()].sort()).toEqual(
      [...before.keys()].filter((p) => !p.startsWith(first.workspace + '/') && !p.endsWith('mine.txt')).sort(),
    );
    for (const [p, ino] of left) expect(ino, p).toBe(before.get(p));

    // The next job sees nothing of the first and gets its own outputs.
    const second = await runIn(
      again,
      `jobs:\n  two:\n    outputs:\n      v: \${{ steps.s.outputs.v }}\n    steps:\n      - id: s\n        run: |\n          test -z "$(ls -A)" && test -z "\${SECRET:-}" && test ! -e "$RUNNER_TEMP/mine.txt"\n          ! grep -r "job[-]one" "$RUNNER_TEMP/_runner_file_commands"\n          echo "v=two" >> "$GITHUB_OUTPUT"\n`,
      root,
    );
    expect(second.conclusion, second.error).toBe('success');
    expect(second.outputs).toEqual({ v: 'two' });
    expect(second.summary).toBe('');
    void pool.give(again);
    await pool.close();
    expect(readdirSync(join(root, 'pool'))).toEqual([]);
  });

  it('makes the workspace and temp directory again when a job removed them, and the next job has its step files', async () => {
    const root = scratch();
    const pool = new JobDirPool(join(root, 'pool'));
    const first = pool.take();
    expect(statSync(first.workspace).isDirectory() && statSync(first.tempDir).isDirectory()).toBe(true);
    const removing = `jobs:\n  one:\n    steps:\n      - run: echo "v=one" >> "$GITHUB_OUTPUT" && echo x > "$RUNNER_TEMP/stale"\n      - run: cd / && rm -rf "$GITHUB_WORKSPACE" "$RUNNER_TEMP"\n`;
    expect((await runIn(first, removing, root)).conclusion).toBe('success');
    expect(existsSync(first.workspace) || existsSync(first.tempDir)).toBe(false);
    await pool.give(first);
    const again = pool.take();
    expect(again).toEqual(first);
    expect(readdirSync(again.workspace)).toEqual([]);
    expect(readdirSync(again.tempDir)).toEqual([]);
    const second = await runIn(
      again,
      `jobs:\n  two:\n    outputs:\n      v: \${{ steps.s.outputs.v }}\n    steps:\n      - id: s\n        run: |\n          test -f "$GITHUB_OUTPUT" && test ! -s "$GITHUB_OUTPUT" && test -f "$GITHUB_ENV" && test ! -e "$RUNNER_TEMP/stale"\n          echo "v=two" >> "$GITHUB_OUTPUT"\n`,
      root,
    );
    expect(second.conclusion, second.error).toBe('success');
    expect(second.outputs).toEqual({ v: 'two' });
    await pool.give(again);
    await pool.close();
  });

  it('gives new directories while the given-back ones are still being emptied', async () => {
    const pool = new JobDirPool(join(scratch(), 'pool'));
    const a = pool.take();
    const emptied = pool.give(a);
    const b = pool.take();
    expect(b.root).not.toBe(a.root);
    expect(b.workspace).toBe(join(b.root, 'work'));
    expect(b.tempDir).toBe(join(b.root, 'temp'));
    await emptied;
    expect(pool.take()).toEqual(a);
  });
});

describe('runPlan reuses job directories', () => {
  it('runs a chain of jobs in two directories, each job starting empty, and removes them at the end', async () => {
    const chain = Array.from({ length: 6 }, (_, i) =>
      `  j${i}:\n${i === 0 ? '' : `    needs: j${i - 1}\n`}    steps:\n      - run: |\n          test -z "$(ls -A)" && ! grep -rq "from[-]j" "$RUNNER_TEMP/_runner_file_commands"\n          echo from-j${i} > here.txt && echo "X=from-j${i}" >> "$GITHUB_ENV"\n          echo "$GITHUB_WORKSPACE" >> "$SEEN"\n`,
    ).join('');
    const seen = join(scratch(), 'seen');
    const r = await runYaml(`jobs:\n${chain}`, { env: { SEEN: seen } });
    cleanups.push(r.cleanup);
    expect(r.result.conclusion, JSON.stringify(r.result.jobs.map((j) => [j.key, j.conclusion, j.error]))).toBe('success');
    const workspaces = new Set(readFileSync(seen, 'utf8').trim().split('\n'));
    // A job's directories are emptied while the next job starts, so a chain alternates between two or three.
    expect(workspaces.size).toBeLessThan(6);
    expect(readdirSync(join(r.dir, '.cairn', 'work'))).toEqual([]);
  });

  it('keeps one directory per job with keepWorkspaces', async () => {
    const r = await runYaml(`jobs:\n  a:\n    steps:\n      - run: echo a > a.txt\n  b:\n    needs: a\n    steps:\n      - run: echo b > b.txt\n`, { keepWorkspaces: true });
    cleanups.push(r.cleanup);
    expect(r.result.conclusion).toBe('success');
    const work = join(r.dir, '.cairn', 'work');
    expect(readdirSync(work).sort()).toEqual(['a', 'b']);
    expect(readFileSync(join(work, 'a', 'work', 'a.txt'), 'utf8')).toBe('a\n');
    expect(readFileSync(join(work, 'b', 'work', 'b.txt'), 'utf8')).toBe('b\n');
  });
});
