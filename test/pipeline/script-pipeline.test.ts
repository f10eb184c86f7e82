import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { isScriptPipeline, parseScriptPipeline, planPipeline } from '../../src/pipeline/index.js';
import { catchError } from './helpers.js';

describe('shebang scripts are pipelines of one job and one step', () => {
  test.each([
    ['#!/bin/bash\necho hi\n', '/bin/bash {0}'],
    ['#!/bin/bash -eu\necho hi\n', '/bin/bash -eu {0}'],
    ['#!/bin/sh\necho hi\n', '/bin/sh {0}'],
    ['#! /usr/bin/env python3\nprint(1)\n', 'python3 {0}'],
    ['#!/usr/bin/env python\nprint(1)\n', 'python {0}'],
    ['#!/usr/bin/python3.12\nprint(1)\n', '/usr/bin/python3.12 {0}'],
    ['#!/usr/bin/env ruby\nputs 1\n', 'ruby {0}'],
    ['#!/usr/bin/env node\nconsole.log(1)\n', 'node {0}'],
    ['#!/usr/bin/env -S node --no-warnings\nconsole.log(1)\n', 'node --no-warnings {0}'],
    ['#!/usr/bin/env LANG=C bash\necho\n', 'bash {0}'],
  ])('%j runs with %s', (text, shell) => {
    expect(isScriptPipeline(text)).toBe(true);
    const p = parseScriptPipeline(text, '/work/build.sh');
    expect(p.kind).toBe('script');
    expect(p.name).toBe('build');
    expect(p.jobs).toHaveLength(1);
    const job = p.jobs[0]!;
    expect(job.id).toBe('build');
    expect(job.steps).toHaveLength(1);
    expect(job.steps[0]).toMatchObject({ index: 0, name: 'Run build.sh', run: text, shell });
    expect(planPipeline(p).instances.map((i) => i.key)).toEqual(['build']);
  });

  test('YAML is not a script', () => {
    expect(isScriptPipeline('jobs: {}\n')).toBe(false);
    expect(isScriptPipeline('# comment\njobs: {}\n')).toBe(false);
  });

  test.each([
    ['/x/my build.py', 'my-build'],
    ['/x/2fast.sh', '_2fast'],
    ['/x/ci', 'ci'],
    ['/x/.hidden.sh', 'hidden'],
    ['/x/!!!.sh', 'script'],
  ])('job id of %s is %s', (file, id) => {
    expect(parseScriptPipeline('#!/bin/sh\n', file).jobs[0]!.id).toBe(id);
  });

  test('an unsupported interpreter is an error at the shebang', () => {
    const err = catchError(() => parseScriptPipeline('#!/usr/bin/perl -w\nprint 1;\n', 'x.pl'));
    expect(err.code).toBe('PIPELINE_INVALID');
    expect(err.message).toBe("x.pl:1:3: unsupported interpreter '/usr/bin/perl -w': a script pipeline runs with bash, sh, python, ruby or node");
    expect(err.data).toMatchObject({ file: 'x.pl', line: 1, column: 3 });
    expect(catchError(() => parseScriptPipeline('#!\n', 'e.sh')).code).toBe('PIPELINE_INVALID');
  });

  test('the fixture script', () => {
    const text = readFileSync(join(import.meta.dirname, 'fixtures', 'build.sh'), 'utf8');
    expect(parseScriptPipeline(text, 'build.sh').jobs[0]!.steps[0]!.shell).toBe('bash {0}');
  });
});
