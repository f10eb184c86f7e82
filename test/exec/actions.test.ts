import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runYaml, type PipelineRun } from './run-helpers.js';

const runs: PipelineRun[] = [];
afterEach(() => {
  for (const r of runs.splice(0)) r.cleanup();
});

async function run(yaml: string, opts: Parameters<typeof runYaml>[1] = {}): Promise<PipelineRun> {
  const r = await runYaml(yaml, opts);
  runs.push(r);
  return r;
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
}

describe('actions/checkout (built in)', () => {
  it('copies the working tree of a git repository, uncommitted changes included, ignored files not', async () => {
    const r = await run(
      `
jobs:
  a:
    steps:
      - uses: actions/checkout@v4
      - run: |
          cat committed.txt untracked.txt
          test ! -e ignored.txt && echo "no ignored"
          test -x tool.sh && echo "mode kept"
          git status --porcelain | sort
          git log --format=%s
`,
      {
        prepare: (dir) => {
          writeFileSync(join(dir, 'committed.txt'), 'v1\n');
          writeFileSync(join(dir, 'tool.sh'), '#!/bin/sh\n', { mode: 0o755 });
          writeFileSync(join(dir, '.gitignore'), 'ignored.txt\n.cairn/\n');
          git(dir, 'init', '-q');
          git(dir, 'add', '.');
          git(dir, 'commit', '-qm', 'first commit');
          writeFileSync(join(dir, 'committed.txt'), 'v2 uncommitted\n');
          writeFileSync(join(dir, 'untracked.txt'), 'new file\n');
          writeFileSync(join(dir, 'ignored.txt'), 'secret local\n');
        },
      },
    );
    const log = r.log('a').toString();
    expect(r.result.conclusion, log).toBe('success');
    expect(log).toContain('v2 uncommitted\nnew file\n');
    expect(log).toContain('no ignored');
    expect(log).toContain('mode kept');
    expect(log).toMatch(/ M committed.txt\n\?\? untracked.txt\n/);
    expect(log).toContain('first commit');
  });

  it('clones at a ref when ref: is given', async () => {
    const r = await run(
      `
jobs:
  a:
    steps:
      - uses: actions/checkout@v4
        with:
          ref: v1
          path: src
      - run: cat src/file.txt
`,
      {
        prepare: (dir) => {
          git(dir, 'init', '-q');
          writeFileSync(join(dir, 'file.txt'), 'tagged\n');
          git(dir, 'add', 'file.txt');
          git(dir, 'commit', '-qm', 'one');
          git(dir, 'tag', 'v1');
          writeFileSync(join(dir, 'file.txt'), 'later\n');
          git(dir, 'commit', '-qam', 'two');
        },
      },
    );
    const log = r.log('a').toString();
    expect(r.result.conclusion, log).toBe('success');
    expect(log).toContain('tagged\n');
    expect(log).not.toContain('later\n');
  });

  it('copies a plain directory when it is not a git repository', async () => {
    const r = await run(
      `
jobs:
  a:
    steps:
      - uses: actions/checkout@v4
      - run: cat data/x.txt; test ! -e .cairn && echo "no run dir"
`,
      { files: { 'data/x.txt': 'plain copy\n' } },
    );
    const log = r.log('a').toString();
    expect(log).toContain('plain copy');
    expect(log).toContain('no run dir');
  });
});

describe('local composite actions', () => {
  it('maps with: to inputs, runs the steps in order, and maps outputs back', async () => {
    const r = await run(
      `
jobs:
  a:
    steps:
      - id: greet
        uses: ./.github/actions/greet
        with:
          who: world
      - run: echo "action said \${{ steps.greet.outputs.message }}"
`,
      {
        files: {
          '.github/actions/greet/action.yml': `
name: greet
description: says hello
inputs:
  who:
    required: true
  punctuation:
    default: "!"
outputs:
  message:
    value: \${{ steps.make.outputs.message }}
runs:
  using: composite
  steps:
    - id: make
      shell: bash
      run: echo "message=hello \${{ inputs.who }}\${{ inputs.punctuation }}" >> "$GITHUB_OUTPUT"
    - shell: python
      run: |
        import os
        print("action path ends with", os.environ["GITHUB_ACTION_PATH"].split("/")[-1])
`,
        },
      },
    );
    const log = r.log('a').toString();
    expect(r.result.conclusion, log).toBe('success');
    expect(log).toContain('action said hello world!');
    expect(log).toContain('action path ends with greet');
    expect(log).toContain('▶ greet › ');
  });

  it('a failing step inside the action fails the calling step', async () => {
    const r = await run(
      `
jobs:
  a:
    steps:
      - uses: ./act
      - run: echo not-reached
`,
      { files: { 'act/action.yaml': 'name: bad\ndescription: fails\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      run: exit 4\n' } },
    );
    const j = r.result.jobs[0]!;
    expect(j.conclusion).toBe('failure');
    expect(j.steps.map((s) => s.conclusion)).toEqual(['failure', 'skipped']);
    expect(j.steps[0]!.exitCode).toBe(4);
  });
});
