import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseAction, parsePipeline, planPipeline, stepDisplayName } from '../../src/pipeline/index.js';
import { catchError } from './helpers.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const read = (name: string): string => readFileSync(join(fixtures, name), 'utf8');

describe('parsePipeline on realistic workflows', () => {
  test('an unchanged GitHub workflow for an npm package', () => {
    const p = parsePipeline(read('node-ci.yml'), 'node-ci.yml');
    expect(p.name).toBe('Node CI');
    expect(p.kind).toBe('workflow');
    expect(p.on.push).toEqual({ branches: ['main'] });
    expect(p.env).toEqual({ CI: 'true', NPM_CONFIG_FUND: 'false' });
    expect(p.jobs.map((j) => j.id)).toEqual(['lint', 'test', 'publish-dry-run']);
    const test = p.jobs[1]!;
    expect(test.needs).toEqual(['lint']);
    expect(test.runsOn).toEqual(['${{ matrix.os }}']);
    expect(test.timeoutMinutes).toBe(15);
    expect(test.matrix).toMatchObject({ axes: { os: ['ubuntu-latest'], node: [20, 22, 24] }, failFast: false });
    expect(test.steps.map((s) => s.name)).toEqual(['Run actions/checkout@v4', 'Install', 'Test on Node ${{ matrix.node }}', 'Coverage']);
    expect(test.steps[0]!.with).toEqual({ 'fetch-depth': '0' });
    expect(test.steps[3]!.if).toBe('${{ matrix.coverage }}');
    expect(test.loc).toEqual({ file: 'node-ci.yml', line: 30, column: 3 });
    expect(p.jobs[2]!.if).toBe("github.ref == 'refs/heads/main'");
    expect(p.jobs[2]!.needs).toEqual(['lint', 'test']);
  });

  test('steps in several languages, outputs, defaults and status functions', () => {
    const p = parsePipeline(read('polyglot.yml'), 'polyglot.yml');
    expect(p.on.workflowDispatch).toEqual({ inputs: {} });
    expect(p.defaults).toEqual({ shell: 'bash' });
    const [produce, consume, cleanup] = p.jobs;
    expect(produce!.outputs).toEqual({ version: '${{ steps.ver.outputs.version }}' });
    expect(produce!.steps.map((s) => s.shell)).toEqual([undefined, 'python', 'ruby', undefined]);
    expect(produce!.steps[1]!.run).toBe('import os\nprint(os.environ["GREETING"], "from python")\n');
    expect(produce!.steps[2]!.env).toEqual({ WHO: 'ruby' });
    expect(produce!.steps[3]!.continueOnError).toBe(true);
    expect(consume!.defaults).toEqual({ workingDirectory: 'sub' });
    expect(consume!.steps[0]!.workingDirectory).toBe('.');
    expect(consume!.steps[2]!.shell).toBe('bash -e {0}');
    expect(consume!.steps[3]!.if).toBe('failure()');
    expect(cleanup!.if).toBe('always()');
  });

  test("cairn's job keys and triggers", () => {
    const p = parsePipeline(read('cluster.yml'), 'cluster.yml');
    expect(p.on.schedule).toEqual(['0 3 * * *']);
    expect(p.on.workflowDispatch?.inputs.target).toEqual({
      description: 'what to build', required: false, type: 'choice', options: ['debug', 'release'], default: 'release',
    });
    const [build, pkg] = p.jobs;
    expect(build).toMatchObject({
      labels: ['maven', 'os=linux', '!gpu'],
      retry: { max: 3, on: ['node-lost', 'failure'] },
      artifacts: ['target/*.jar'],
      sandbox: 'bwrap',
      timeoutMinutes: 30,
    });
    expect(pkg).toMatchObject({ labels: ['arch!=arm64'], sandbox: 'container', image: 'debian:stable', runsOn: [] });
    expect(pkg!.continueOnErrorExpr).toBe('${{ matrix.experimental }}');
    expect(pkg!.matrix?.maxParallel).toBe(2);
    expect(pkg!.steps[0]!.uses).toBe('./.github/actions/package');
    const plan = planPipeline(p);
    expect(plan.instances.map((i) => [i.key, i.continueOnError])).toEqual([
      ['build', false],
      ['package (deb, false)', false],
      ['package (tar, false)', false],
      ['package (rpm, true)', true],
    ]);
  });

  test('defaults: a job with no runs-on, retry, sandbox or name; the pipeline named after its file', () => {
    const p = parsePipeline('jobs:\n  a:\n    steps:\n      - run: echo hi\n', '/repo/.github/workflows/ci.yml');
    expect(p.name).toBe('ci');
    expect(p.on).toEqual({ schedule: [] });
    expect(p.jobs[0]).toMatchObject({
      id: 'a', name: 'a', runsOn: [], labels: [], needs: [], continueOnError: false,
      retry: { max: 2, on: ['node-lost'] }, artifacts: [], sandbox: 'none', defaults: {}, env: {}, outputs: {},
    });
    expect(p.jobs[0]!.steps[0]).toEqual({
      index: 0, name: 'Run echo hi', run: 'echo hi', with: {}, env: {}, continueOnError: false,
      loc: { file: '/repo/.github/workflows/ci.yml', line: 4, column: 9 },
    });
  });

  test('duplicate needs are kept once', () => {
    const p = parsePipeline('jobs:\n  a: { steps: [ { run: x } ] }\n  b: { needs: [a, a], steps: [ { run: x } ] }\n', 'n.yml');
    expect(p.jobs[1]!.needs).toEqual(['a']);
  });

  test('runs-on as a string, a list, and a group mapping', () => {
    const p = parsePipeline([
      'jobs:',
      '  a: { runs-on: linux, steps: [ { run: x } ] }',
      '  b: { runs-on: [self-hosted, x64], steps: [ { run: x } ] }',
      '  c: { runs-on: { group: g, labels: [gpu] }, steps: [ { run: x } ] }',
    ].join('\n'), 'r.yml');
    expect(p.jobs.map((j) => j.runsOn)).toEqual([['linux'], ['self-hosted', 'x64'], ['gpu']]);
  });

  test('expressions in timeout-minutes, continue-on-error and step timeouts are kept as templates', () => {
    const p = parsePipeline([
      'jobs:',
      '  a:',
      '    timeout-minutes: ${{ matrix.t }}',
      '    continue-on-error: ${{ matrix.t > 1 }}',
      '    strategy: { matrix: { t: [1, 2] } }',
      '    steps:',
      '      - run: x',
      '        timeout-minutes: ${{ matrix.t }}',
      '        continue-on-error: ${{ matrix.t == 2 }}',
    ].join('\n'), 't.yml');
    const job = p.jobs[0]!;
    expect(job.timeoutMinutes).toBeUndefined();
    expect(job.timeoutMinutesExpr).toBe('${{ matrix.t }}');
    expect(job.continueOnErrorExpr).toBe('${{ matrix.t > 1 }}');
    expect(job.steps[0]).toMatchObject({ timeoutMinutesExpr: '${{ matrix.t }}', continueOnError: '${{ matrix.t == 2 }}' });
    const plan = planPipeline(p);
    expect(plan.instances.map((i) => [i.key, i.timeoutMinutes, i.continueOnError])).toEqual([
      ['a (1)', 1, false],
      ['a (2)', 2, true],
    ]);
  });

  test('YAML anchors and aliases are followed', () => {
    const p = parsePipeline([
      'jobs:',
      '  a: { steps: &steps [ { run: echo shared } ] }',
      '  b: { needs: a, steps: *steps }',
    ].join('\n'), 'a.yml');
    expect(p.jobs.map((j) => j.steps[0]?.run)).toEqual(['echo shared', 'echo shared']);
    const q = parsePipeline('jobs:\n  a:\n    env: &e { A: "1" }\n    steps: [ { run: x, env: *e } ]\n', 'b.yml');
    expect(q.jobs[0]!.steps[0]!.env).toEqual({ A: '1' });
  });

  test('a local composite action', () => {
    const a = parseAction(read('actions/greet/action.yml'), 'actions/greet/action.yml');
    expect(a.name).toBe('Greet');
    expect(a.inputs).toEqual({
      who: { description: 'whom to greet', required: true },
      punctuation: { description: 'how to end', required: false, default: '!' },
    });
    expect(a.outputs).toEqual({ greeted: { description: 'the name greeted', value: '${{ steps.say.outputs.name }}' } });
    expect(a.steps.map((s) => [s.id, s.shell])).toEqual([['say', 'bash'], [undefined, 'python']]);
  });

  test('actions that are not composite, or whose run steps lack a shell, are refused with locations', () => {
    const js = catchError(() => parseAction('name: x\ndescription: y\nruns:\n  using: node20\n  main: index.js\n', 'a.yml'));
    expect(js.code).toBe('UNKNOWN_USES');
    expect(js.message).toBe("a.yml:4:10: runs.using 'node20' is not supported: cairn runs composite actions only");
    const noShell = catchError(() => parseAction('name: x\ndescription: y\nruns:\n  using: composite\n  steps:\n    - run: echo\n', 'a.yml'));
    expect(noShell.message).toMatch(/^a\.yml:6:7: Required property is missing: shell/);
  });

  test('stepDisplayName follows GitHub', () => {
    expect(stepDisplayName({ index: 0, name: 'Named' })).toBe('Named');
    expect(stepDisplayName({ index: 0, name: '', run: '\n  npm ci\n  npm test\n' })).toBe('Run npm ci');
    expect(stepDisplayName({ index: 0, name: '', uses: 'actions/checkout@v4' })).toBe('Run actions/checkout@v4');
    expect(stepDisplayName({ index: 2, name: '' })).toBe('Step 3');
    expect(stepDisplayName({ index: 0, name: '', run: 'x'.repeat(200) })).toHaveLength(84);
  });
});
