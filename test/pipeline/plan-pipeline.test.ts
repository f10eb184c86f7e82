import { describe, expect, test } from 'vitest';
import { defaultInputs, parsePipeline, planPipeline } from '../../src/pipeline/index.js';
import { catchError, graph } from './helpers.js';

const workflow = `
jobs:
  lint:
    steps: [ { run: x } ]
  build:
    steps: [ { run: x } ]
  test:
    needs: [build]
    strategy:
      matrix:
        os: [ubuntu, debian]
        node: [20, 22]
    steps: [ { run: x } ]
  package:
    needs: [test, lint]
    name: Package for \${{ github.ref_name }}
    runs-on: [self-hosted, "\${{ inputs.arch }}"]
    steps: [ { run: x } ]
  docs:
    needs: lint
    steps: [ { run: x } ]
`;

describe('planPipeline', () => {
  const p = parsePipeline(workflow, 'w.yml');

  test('expands matrices and orders instances after their needs', () => {
    const plan = planPipeline(p, { github: { ref_name: 'main' }, inputs: { arch: 'x64' } });
    expect(plan.instances.map((i) => i.key)).toEqual([
      'lint', 'build', 'docs',
      'test (ubuntu, 20)', 'test (ubuntu, 22)', 'test (debian, 20)', 'test (debian, 22)',
      'package',
    ]);
    const pkg = plan.instances.at(-1)!;
    expect(pkg.needs).toEqual(['test (ubuntu, 20)', 'test (ubuntu, 22)', 'test (debian, 20)', 'test (debian, 22)', 'lint']);
    expect(pkg.needsJobs).toEqual(['test', 'lint']);
    expect(pkg.name).toBe('Package for main');
    expect(pkg.runsOn).toEqual(['self-hosted', 'x64']);
    expect(plan.instances[3]).toMatchObject({
      jobId: 'test', matrix: { os: 'ubuntu', node: 20 }, name: 'test (ubuntu, 20)', needs: ['build'],
      strategy: { 'fail-fast': true, 'job-index': 0, 'job-total': 4, 'max-parallel': 4 },
    });
  });

  test('--job selects the job and everything it needs, transitively', () => {
    expect(planPipeline(p, { job: 'package' }).instances.map((i) => i.jobId)).toEqual(['lint', 'build', 'test', 'test', 'test', 'test', 'package']);
    expect(planPipeline(p, { job: 'docs' }).instances.map((i) => i.key)).toEqual(['lint', 'docs']);
    expect(planPipeline(p, { job: 'build' }).instances.map((i) => i.key)).toEqual(['build']);
  });

  test('--job with an unknown job lists the jobs', () => {
    const err = catchError(() => planPipeline(p, { job: 'deploy' }));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toBe("unknown job 'deploy'; the jobs are: lint, build, test, package, docs");
    expect(err.data.jobs).toEqual(['lint', 'build', 'test', 'package', 'docs']);
  });

  test('--matrix keeps matching combinations, and needs follow them', () => {
    const plan = planPipeline(p, { matrix: { os: 'debian' } });
    expect(plan.instances.filter((i) => i.jobId === 'test').map((i) => i.key)).toEqual(['test (debian, 20)', 'test (debian, 22)']);
    expect(plan.instances.at(-1)!.needs).toEqual(['test (debian, 20)', 'test (debian, 22)', 'lint']);
    expect(planPipeline(p, { matrix: { os: 'debian', node: '22' } }).instances.filter((i) => i.jobId === 'test')).toHaveLength(1);
  });

  test('--matrix that matches nothing, or names no axis, is an error', () => {
    const none = catchError(() => planPipeline(p, { matrix: { os: 'arch' } }));
    expect(none.code).toBe('INVALID_INPUT');
    expect(none.message).toBe("--matrix os=arch matches no combination of job 'test' (os: ubuntu, debian)");
    const axis = catchError(() => planPipeline(p, { matrix: { python: '3' } }));
    expect(axis.message).toBe("--matrix python: no planned job has a matrix axis 'python'");
  });

  test.each([
    { jobs: [['a', ['a']]] as Array<[string, string[]]>, cycle: 'a -> a' },
    { jobs: [['a', ['b']], ['b', ['a']]] as Array<[string, string[]]>, cycle: 'a -> b -> a' },
    { jobs: [['x', []], ['a', ['c']], ['b', ['a', 'x']], ['c', ['b']]] as Array<[string, string[]]>, cycle: 'a -> c -> b -> a' },
    { jobs: [['entry', ['b']], ['b', ['c']], ['c', ['d']], ['d', ['b']]] as Array<[string, string[]]>, cycle: 'b -> c -> d -> b' },
  ])('a needs cycle is named: $cycle', ({ jobs, cycle }) => {
    const err = catchError(() => planPipeline(graph(jobs)));
    expect(err.code).toBe('NEEDS_CYCLE');
    expect(err.message).toBe(`needs cycle: ${cycle}`);
    expect(err.data.cycle).toEqual(cycle.split(' -> '));
  });

  test('a cycle in a parsed file is named too', () => {
    const cyc = parsePipeline('jobs:\n  a: { needs: c, steps: [ {run: x} ] }\n  b: { needs: a, steps: [ {run: x} ] }\n  c: { needs: b, steps: [ {run: x} ] }\n', 'c.yml');
    const err = catchError(() => planPipeline(cyc));
    expect(err.message).toBe('needs cycle: a -> c -> b -> a');
    expect(err.data).toEqual({ cycle: ['a', 'c', 'b', 'a'], file: 'c.yml', line: 2, column: 3 });
  });

  test('an empty matrix in a hand-built pipeline is refused at its location', () => {
    const g = graph([['a', []]]);
    g.jobs[0]!.matrix = { axes: { os: ['x'] }, include: [], exclude: [{ os: 'x' }], failFast: true, loc: { file: 'g.yml', line: 4, column: 9 } };
    const err = catchError(() => planPipeline(g));
    expect(err.code).toBe('PIPELINE_INVALID');
    expect(err.message).toBe("g.yml:4:9: job 'a': the matrix is empty (every combination is excluded or an axis has no values)");
  });

  test('defaultInputs fills workflow_dispatch inputs as GitHub does', () => {
    const d = parsePipeline([
      'on:',
      '  workflow_dispatch:',
      '    inputs:',
      '      target: { type: choice, options: [a, b], default: b }',
      '      dry: { type: boolean }',
      '      note: { description: free text }',
      'jobs:',
      '  a: { steps: [ { run: x } ] }',
    ].join('\n'), 'i.yml');
    expect(defaultInputs(d)).toEqual({ target: 'b', dry: false, note: '' });
    expect(defaultInputs(p)).toEqual({});
  });

  test('duplicate combinations from include keep distinct keys', () => {
    const d = parsePipeline('jobs:\n  a:\n    strategy: { matrix: { include: [ {x: 1}, {x: 1} ] } }\n    steps: [ {run: x} ]\n', 'd.yml');
    expect(planPipeline(d).instances.map((i) => i.key)).toEqual(['a (1)', 'a (1) #2']);
  });
});
