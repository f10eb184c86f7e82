import { describe, expect, it } from 'vitest';
import { jobColor } from '../../src/cli/output/colors.js';
import { JobOutputPrinter } from '../../src/cli/output/job-output.js';
import { summaryTable } from '../../src/cli/output/run-summary.js';
import type { JobResult, RunResult } from '../../src/exec/index.js';

function printer(color: boolean): { p: JobOutputPrinter; text: () => string; writes: () => number } {
  const out: Buffer[] = [];
  const p = new JobOutputPrinter((b) => void out.push(Buffer.from(b)), color);
  return { p, text: () => Buffer.concat(out).toString('latin1'), writes: () => out.length };
}

describe('JobOutputPrinter', () => {
  it('prefixes whole lines per job and never splits a line between jobs', () => {
    const { p, text } = printer(false);
    p.output('a', Buffer.from('one\ntw'));
    p.output('b', Buffer.from('x\n'));
    p.output('a', Buffer.from('o\nthree'));
    p.end('a');
    expect(text()).toBe('[a] one\n[b] x\n[a] two\n[a] three\n');
  });

  it('colours the prefix only, the same colour for the same job every time', () => {
    const { p, text } = printer(true);
    p.output('build', Buffer.from('hi\n'));
    expect(text()).toBe(`\u001b[${jobColor('build')}m[build]\u001b[0m hi\n`);
    expect(jobColor('build')).toBe(jobColor('build'));
  });

  it('writes bytes through untouched (binary, invalid UTF-8)', () => {
    const out: Buffer[] = [];
    const p = new JobOutputPrinter((b) => void out.push(Buffer.from(b)), false);
    p.output('j', Buffer.from([0xff, 0x00, 0x0a]));
    expect(Buffer.concat(out)).toEqual(Buffer.concat([Buffer.from('[j] '), Buffer.from([0xff, 0x00, 0x0a])]));
  });

  it('prints a very long unfinished line instead of holding it', () => {
    const { p, writes } = printer(false);
    p.output('j', Buffer.alloc(100 * 1024, 0x61));
    expect(writes()).toBe(1);
  });
});

describe('summaryTable', () => {
  const job = (key: string, conclusion: JobResult['conclusion'], outcome = conclusion): JobResult => ({
    key, jobId: key, name: key, outcome, conclusion, outputs: {}, steps: [], startedAt: '', durationMs: 1234, summary: '',
    ...(conclusion === 'skipped' ? {} : { logFile: `/w/.cairn/runs/r/${key}.log` }),
  });

  it('lists job, status, duration and log, aligned', () => {
    const run: RunResult = { conclusion: 'failure', durationMs: 5000, jobs: [job('build', 'success'), job('test (1)', 'failure'), job('lint', 'success', 'failure'), job('deploy', 'skipped')] };
    expect(summaryTable(run, false, '/w')).toBe(
      [
        'JOB       STATUS             DURATION  LOG',
        'build     success            1.23 s    .cairn/runs/r/build.log',
        'test (1)  failure            1.23 s    .cairn/runs/r/test (1).log',
        'lint      failure (allowed)  1.23 s    .cairn/runs/r/lint.log',
        'deploy    skipped            1.23 s    -',
        '',
      ].join('\n'),
    );
  });
});
