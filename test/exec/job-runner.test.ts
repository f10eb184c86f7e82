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

function job(r: PipelineRun, key: string) {
  const j = r.result.jobs.find((x) => x.key === key);
  if (j === undefined) throw new Error(`no job ${key}`);
  return j;
}

describe('runJob through runPlan: steps and shells', () => {
  it('runs bash, sh, python, ruby and node steps', async () => {
    const r = await run(`
jobs:
  a:
    steps:
      - run: echo "bash $BASH_VERSION" | cut -c1-6; set -o | grep -q 'pipefail.*off' && echo nopipefail
      - shell: bash
        run: set -o | grep pipefail
      - shell: sh
        run: echo "sh ok"
      - shell: python
        run: print("python", 6 * 7)
      - shell: ruby
        run: 'puts "ruby #{6 * 7}"'
      - shell: node
        run: console.log('node', 6 * 7)
      - shell: perl -w {0}
        run: print "custom ", 6 * 7, "\\n";
`);
    const j = job(r, 'a');
    const log = r.log('a').toString();
    expect(j.conclusion, log).toBe('success');
    expect(log).toContain('bash 5');
    // The default shell is plain `bash -e`; `shell: bash` adds pipefail (GitHub's rule).
    expect(log).toContain('nopipefail');
    expect(log).toMatch(/pipefail\s+on/);
    expect(log).toContain('sh ok');
    expect(log).toContain('python 42');
    expect(log).toContain('ruby 42');
    expect(log).toContain('node 42');
    expect(log).toContain('custom 42');
    expect(j.steps.map((s) => s.exitCode)).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('passes outputs, env, path and the step summary between steps and jobs', async () => {
    const r = await run(`
env:
  LEVEL: workflow
  OVER: workflow
jobs:
  a:
    env:
      OVER: job
    outputs:
      answer: \${{ steps.calc.outputs.answer }}
      multi: \${{ steps.calc.outputs.multi }}
    steps:
      - id: calc
        run: |
          echo "answer=42" >> "$GITHUB_OUTPUT"
          { echo "multi<<EOF"; echo "line one"; echo "line two"; echo "EOF"; } >> "$GITHUB_OUTPUT"
          echo "FROM_FILE=yes" >> "$GITHUB_ENV"
          mkdir -p "$RUNNER_TEMP/bin" && printf '#!/bin/sh\\necho tool-ran\\n' > "$RUNNER_TEMP/bin/mytool" && chmod +x "$RUNNER_TEMP/bin/mytool"
          echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
          echo "# Report" >> "$GITHUB_STEP_SUMMARY"
      - env:
          OVER: step
        run: |
          echo "level=$LEVEL over=$OVER file=$FROM_FILE ci=$CI job=$GITHUB_JOB"
          mytool
          echo "answer=\${{ steps.calc.outputs.answer }}"
  b:
    needs: a
    steps:
      - run: |
          echo "got \${{ needs.a.outputs.answer }}"
          echo "\${{ needs.a.outputs.multi }}" | wc -l
`);
    expect(r.result.conclusion).toBe('success');
    const a = r.log('a').toString();
    expect(a).toContain('level=workflow over=step file=yes ci=true job=a');
    expect(a).toContain('tool-ran');
    expect(a).toContain('answer=42');
    expect(job(r, 'a').outputs).toEqual({ answer: '42', multi: 'line one\nline two' });
    expect(job(r, 'a').summary).toBe('# Report\n');
    expect(r.log('b').toString()).toMatch(/got 42\n\s*2\n/);
  });

  it('applies working-directory and defaults.run', async () => {
    const r = await run(`
defaults:
  run:
    shell: python
jobs:
  a:
    defaults:
      run:
        working-directory: sub
    steps:
      - shell: bash
        working-directory: .
        run: mkdir -p sub/deeper && echo made
      - run: import os; print("cwd", os.path.basename(os.getcwd()))
      - working-directory: sub/deeper
        shell: bash
        run: echo "here $(basename "$PWD")"
`);
    expect(r.result.conclusion).toBe('success');
    const log = r.log('a').toString();
    expect(log).toContain('cwd sub');
    expect(log).toContain('here deeper');
  });
});

describe('conditions and failures', () => {
  it('evaluates if: with success(), failure(), always() and cancelled()', async () => {
    const r = await run(`
jobs:
  a:
    steps:
      - run: echo one
      - if: \${{ env.NOPE == 'x' }}
        run: echo skipped-by-expression
      - run: exit 7
      - run: echo after-failure-not-run
      - if: failure()
        run: echo on-failure
      - if: always()
        run: echo always-ran
      - if: success()
        run: echo success-not-run
      - if: cancelled()
        run: echo cancelled-not-run
`);
    const j = job(r, 'a');
    expect(j.conclusion).toBe('failure');
    expect(j.steps.map((s) => s.conclusion)).toEqual(['success', 'skipped', 'failure', 'skipped', 'success', 'success', 'skipped', 'skipped']);
    expect(j.steps[2]!.exitCode).toBe(7);
    const log = r.log('a').toString();
    expect(log).toContain('on-failure');
    expect(log).toContain('always-ran');
    expect(log).not.toContain('after-failure-not-run\n');
  });

  it('continue-on-error keeps a step (and a job) from failing what follows', async () => {
    const r = await run(`
jobs:
  a:
    steps:
      - id: bad
        continue-on-error: true
        run: exit 3
      - run: echo "outcome=\${{ steps.bad.outcome }} conclusion=\${{ steps.bad.conclusion }}"
  b:
    continue-on-error: true
    steps:
      - run: exit 1
  c:
    needs: [a, b]
    steps:
      - run: echo "b says \${{ needs.b.result }}"
`);
    expect(r.result.conclusion).toBe('success');
    expect(r.log('a').toString()).toContain('outcome=failure conclusion=success');
    expect(job(r, 'b')).toMatchObject({ outcome: 'failure', conclusion: 'success' });
    expect(r.log('c').toString()).toContain('b says success');
  });

  it('a failed need skips the job unless its if: says otherwise', async () => {
    const r = await run(`
jobs:
  a:
    steps:
      - run: exit 1
  b:
    needs: a
    steps:
      - run: echo never
  c:
    needs: a
    if: failure()
    steps:
      - run: echo "cleanup after \${{ needs.a.result }}"
  d:
    needs: b
    if: always()
    steps:
      - run: echo "b was \${{ needs.b.result }}"
`);
    expect(r.result.conclusion).toBe('failure');
    expect(job(r, 'b').conclusion).toBe('skipped');
    expect(job(r, 'b').logFile).toBeUndefined();
    expect(r.log('c').toString()).toContain('cleanup after failure');
    expect(r.log('d').toString()).toContain('b was skipped');
  });

  it('step and job timeout-minutes end the whole process group', async () => {
    const r = await run(`
jobs:
  a:
    steps:
      - timeout-minutes: 0.01
        run: sleep 30 & sleep 30
      - if: always()
        run: echo after-timeout
  b:
    timeout-minutes: 0.01
    steps:
      - run: sleep 30
      - run: echo not-reached
`);
    const a = job(r, 'a');
    expect(a.steps[0]).toMatchObject({ outcome: 'failure', exitCode: null });
    expect(a.steps[0]!.error).toMatch(/timed out after 0.01 min/);
    expect(r.log('a').toString()).toContain('after-timeout');
    const b = job(r, 'b');
    expect(b.conclusion).toBe('failure');
    expect(b.error).toMatch(/timed out/);
    expect(b.steps[1]!.conclusion).toBe('skipped');
    expect(r.result.durationMs).toBeLessThan(20_000);
  });

  it('an expression error fails the step with a clear message', async () => {
    const r = await run(`
jobs:
  a:
    steps:
      - run: echo "\${{ fromJSON('not json') }}"
`);
    const s = job(r, 'a').steps[0]!;
    expect(s.conclusion).toBe('failure');
    expect(s.error).toMatch(/fromJSON|JSON/i);
  });
});

describe('secrets and workflow commands', () => {
  it('masks --secret values in the log and live output, even split across two writes', async () => {
    const secret = 'sup3r-s3cret-value';
    const r = await run(
      `
jobs:
  a:
    steps:
      - run: |
          printf 'start sup3r-s3'
          sleep 0.05
          printf 'cret-value end\\n'
          echo "whole: \${{ secrets.TOKEN }}"
          echo "env: $TOKEN"
        name: deploy with \${{ secrets.TOKEN }}
        env:
          TOKEN: \${{ secrets.TOKEN }}
`,
      { secrets: { TOKEN: secret } },
    );
    const log = r.log('a');
    expect(log.toString()).not.toContain(secret);
    expect(log.toString()).toContain('start *** end');
    expect(log.toString()).toContain('whole: ***');
    expect(log.toString()).toContain('env: ***');
    expect(Buffer.concat(r.live.get('a')!).toString()).toBe(log.toString());
    expect(r.result.jobs[0]!.steps[0]!.name).toBe('deploy with ***');
  });

  it('::add-mask:: masks a value from then on and is not logged itself', async () => {
    const r = await run(`
jobs:
  a:
    steps:
      - run: |
          pw="generated-pw-$((100 + 23))"
          echo "::add-mask::$pw"
          echo "pw is $pw"
      - run: echo "later generated-pw-$((100 + 23))"
`);
    const log = r.log('a').toString();
    expect(log).not.toContain('generated-pw-123');
    expect(log).toContain('pw is ***');
    expect(log).toContain('later ***');
    expect(log).not.toContain('::add-mask::');
  });
});

describe('bad output is logged intact', () => {
  it('keeps invalid UTF-8 and binary bytes exactly', async () => {
    const r = await run(`
jobs:
  a:
    steps:
      - run: printf 'A\\xff\\xfe\\x00\\x80B\\xc3\\x28C\\n'; head -c 4096 /dev/zero | tr '\\0' '\\201'; printf '\\n'
`);
    const log = r.log('a');
    const expected = Buffer.concat([Buffer.from([0x41, 0xff, 0xfe, 0x00, 0x80, 0x42, 0xc3, 0x28, 0x43, 0x0a]), Buffer.alloc(4096, 0x81), Buffer.from('\n')]);
    expect(log.indexOf(expected)).toBeGreaterThan(0);
    expect(Buffer.concat(r.live.get('a')!).equals(log)).toBe(true);
  });
});
