import { describe, expect, test } from 'vitest';
import { parsePipeline } from '../../src/pipeline/index.js';
import { catchError, issueLines } from './helpers.js';

const f = 'ci.yml';

/**
 * Each bad input, with the exact first error (`file:line:col: message` as the CLI prints it)
 * and the error code. Lines are numbered from 1 in the YAML below.
 */
const cases: Array<{ name: string; yaml: string; first: string; code?: string }> = [
  {
    name: 'malformed YAML',
    yaml: 'jobs:\n  a:\n    steps: [ {run: x\n',
    first: 'ci.yml:4:1: invalid YAML:',
  },
  {
    name: 'tab indentation',
    yaml: 'jobs:\n\ta: 1\n',
    first: 'ci.yml:2:1: invalid YAML:',
  },
  {
    name: 'not a mapping',
    yaml: '- a\n- b\n',
    first: 'ci.yml:1:1: a pipeline must be a mapping with a jobs: section',
  },
  {
    name: 'no jobs',
    yaml: 'name: x\n',
    first: 'ci.yml:1:1: a pipeline must be a mapping with a jobs: section',
  },
  {
    name: 'job-level typo run-on',
    yaml: 'jobs:\n  a:\n    run-on: linux\n    steps:\n      - run: x\n',
    first: "ci.yml:3:5: unknown key 'run-on' (did you mean 'runs-on'?)",
  },
  {
    name: 'step-level unknown key',
    yaml: 'jobs:\n  a:\n    steps:\n      - run: x\n        shel: bash\n',
    first: "ci.yml:5:9: unknown key 'shel' (did you mean 'shell'?)",
  },
  {
    name: 'top-level unknown key',
    yaml: 'jobz:\n  a: {}\njobs:\n  a:\n    steps:\n      - run: x\n',
    first: "ci.yml:1:1: unknown key 'jobz' (did you mean 'jobs'?)",
  },
  {
    name: 'unknown shell',
    yaml: 'jobs:\n  a:\n    steps:\n      - run: x\n        shell: zsh\n',
    first: "ci.yml:5:16: unknown shell 'zsh': use bash, sh, python, ruby, node, pwsh, or a command template containing {0}",
  },
  {
    name: 'unknown default shell',
    yaml: 'defaults:\n  run:\n    shell: fish\njobs:\n  a:\n    steps:\n      - run: x\n',
    first: "ci.yml:3:12: unknown shell 'fish': use bash, sh, python, ruby, node, pwsh, or a command template containing {0}",
  },
  {
    name: 'needs a missing job',
    yaml: 'jobs:\n  a:\n    steps:\n      - run: x\n  b:\n    needs: [a, zz]\n    steps:\n      - run: x\n',
    first: "ci.yml:6:16: job 'b' needs 'zz', which is not a job in this pipeline (jobs: a, b)",
  },
  {
    name: 'needs itself',
    yaml: 'jobs:\n  a:\n    needs: a\n    steps:\n      - run: x\n',
    first: "ci.yml:3:12: job 'a' needs itself",
  },
  {
    name: 'unknown uses',
    yaml: 'jobs:\n  a:\n    steps:\n      - uses: actions/setup-node@v4\n',
    first: "ci.yml:4:15: unsupported action 'actions/setup-node@v4': cairn runs actions/checkout@<ref> and local composite actions (uses: ./path)",
    code: 'UNKNOWN_USES',
  },
  {
    name: 'checkout without a version',
    yaml: 'jobs:\n  a:\n    steps:\n      - uses: actions/checkout\n',
    first: 'ci.yml:4:15: actions/checkout needs a version, as on GitHub: actions/checkout@v4',
    code: 'UNKNOWN_USES',
  },
  {
    name: 'docker uses',
    yaml: 'jobs:\n  a:\n    steps:\n      - uses: docker://alpine:3\n',
    first: "ci.yml:4:15: unsupported action 'docker://alpine:3': cairn runs actions/checkout@<ref> and local composite actions (uses: ./path)",
    code: 'UNKNOWN_USES',
  },
  {
    name: 'reusable workflow',
    yaml: 'jobs:\n  a:\n    uses: org/repo/.github/workflows/x.yml@main\n',
    first: "ci.yml:3:11: job 'a' uses 'org/repo/.github/workflows/x.yml@main': reusable workflows are not supported",
    code: 'UNKNOWN_USES',
  },
  {
    name: 'expression syntax error',
    yaml: 'jobs:\n  a:\n    steps:\n      - run: echo ${{ foo( }}\n',
    first: "ci.yml:4:19: Unexpected end of expression: '('",
  },
  {
    name: 'unknown context in an expression',
    yaml: 'jobs:\n  a:\n    steps:\n      - run: echo ${{ nope.x }}\n',
    first: "ci.yml:4:19: Unrecognized named-value: 'nope'",
  },
  {
    name: 'matrix axis not a list',
    yaml: 'jobs:\n  a:\n    strategy:\n      matrix:\n        os: linux\n    steps:\n      - run: x\n',
    first: "ci.yml:5:13: matrix axis 'os' must be a list of values",
  },
  {
    name: 'matrix empty after exclude',
    yaml: 'jobs:\n  a:\n    strategy:\n      matrix:\n        os: [a]\n        exclude:\n          - os: a\n    steps:\n      - run: x\n',
    first: "ci.yml:5:9: job 'a': the matrix is empty (every combination is excluded or an axis has no values)",
  },
  {
    name: 'matrix exclude key not an axis',
    yaml: 'jobs:\n  a:\n    strategy:\n      matrix:\n        os: [a, b]\n        exclude:\n          - oss: a\n    steps:\n      - run: x\n',
    first: "ci.yml:7:13: matrix exclude key 'oss' is not a matrix axis (axes: os)",
  },
  {
    name: 'matrix from an expression',
    yaml: 'jobs:\n  a:\n    strategy:\n      matrix: ${{ fromJSON(inputs.m) }}\n    steps:\n      - run: x\n',
    first: "ci.yml:4:15: job 'a': the matrix must be a mapping of axes written in the file (a matrix from an expression is not supported)",
  },
  {
    name: 'matrix too large',
    yaml: 'jobs:\n  a:\n    strategy:\n      matrix:\n        x: [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]\n        y: [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]\n    steps:\n      - run: x\n',
    first: "ci.yml:5:9: job 'a': the matrix expands to more than 256 combinations",
  },
  {
    name: 'bad sandbox',
    yaml: 'jobs:\n  a:\n    sandbox: docker\n    steps:\n      - run: x\n',
    first: "ci.yml:3:14: sandbox must be one of none, bwrap, container, not 'docker'",
  },
  {
    name: 'container sandbox without image',
    yaml: 'jobs:\n  a:\n    sandbox: container\n    steps:\n      - run: x\n',
    first: "ci.yml:2:3: job 'a': sandbox: container needs an image:",
  },
  {
    name: 'bad retry reason',
    yaml: 'jobs:\n  a:\n    retry: { max: 1, on: [timeout] }\n    steps:\n      - run: x\n',
    first: "ci.yml:3:26: retry on must list node-lost and/or failure, not 'timeout'",
  },
  {
    name: 'bad retry max',
    yaml: 'jobs:\n  a:\n    retry: { max: -1 }\n    steps:\n      - run: x\n',
    first: 'ci.yml:3:19: retry max must be an integer from 0 to 10',
  },
  {
    name: 'bad label term',
    yaml: 'jobs:\n  a:\n    labels: [maven, "a b"]\n    steps:\n      - run: x\n',
    first: "ci.yml:3:21: 'a b' is not a label term: use tag, !tag, key=value or key!=value",
  },
  {
    name: 'container key refused',
    yaml: 'jobs:\n  a:\n    container: node:22\n    steps:\n      - run: x\n',
    first: "ci.yml:3:5: job 'a': 'container' is not supported: cairn runs jobs on the node itself; use sandbox: container with image:",
  },
  {
    name: 'duplicate step id',
    yaml: 'jobs:\n  a:\n    steps:\n      - id: s\n        run: x\n      - id: s\n        run: y\n',
    first: "ci.yml:6:13: step id 's' is used more than once in this job",
  },
  {
    name: 'bad job id',
    yaml: 'jobs:\n  1a:\n    steps:\n      - run: x\n',
    first: "ci.yml:2:3: job id '1a' must start with a letter or '_' and contain only letters, digits, '-' and '_'",
  },
  {
    name: 'step with neither run nor uses',
    yaml: 'jobs:\n  a:\n    steps:\n      - name: nothing\n',
    first: "ci.yml:4:9: There's not enough info to determine what you meant",
  },
  {
    name: 'a key in the wrong place',
    yaml: 'jobs:\n  a:\n    steps:\n      - run: x\n        with: { a: 1 }\n',
    first: "ci.yml:5:9: 'with' is not allowed here",
  },
  {
    name: 'reserved step id',
    yaml: 'jobs:\n  a:\n    steps:\n      - id: __x\n        run: x\n',
    first: "ci.yml:4:13: step id '__x' starts with '__', which GitHub reserves for its own steps",
  },
  {
    name: 'duplicate job id',
    yaml: 'jobs:\n  a:\n    steps: [ { run: x } ]\n  a:\n    steps: [ { run: y } ]\n',
    first: "ci.yml:4:3: 'a' is already defined",
  },
  {
    name: 'no jobs at all',
    yaml: 'jobs:\n',
    first: 'ci.yml:1:6: jobs: is empty: a pipeline needs at least one job',
  },
  {
    name: 'unknown event',
    yaml: 'on: pushh\njobs:\n  a:\n    steps: [ { run: x } ]\n',
    first: "ci.yml:1:5: Unexpected value 'pushh'",
  },
  {
    name: 'expression error in a job if',
    yaml: 'jobs:\n  a:\n    if: ${{ foo( }}\n    steps: [ { run: x } ]\n',
    first: "ci.yml:3:9: Unexpected end of expression: '('",
  },
  {
    name: 'expression error inside a block scalar, at its own line and column',
    yaml: 'jobs:\n  a:\n    steps:\n      - run: |\n          echo one\n          echo ${{ matrix.( }}\n',
    first: "ci.yml:6:16: Unexpected symbol: '('",
  },
  {
    name: "expression error in cairn's image key",
    yaml: 'jobs:\n  a:\n    sandbox: container\n    image: "${{ matrix.( }}"\n    steps: [ { run: x } ]\n',
    first: "ci.yml:4:12: invalid expression 'matrix.(':",
  },
  {
    name: 'job without steps',
    yaml: 'jobs:\n  a:\n    runs-on: linux\n',
    first: "ci.yml:2:3: job 'a' has no steps",
  },
];

describe('parsePipeline rejects bad input with file:line:col', () => {
  test.each(cases)('$name', ({ yaml, first, code }) => {
    const err = catchError(() => parsePipeline(yaml, f));
    expect(err.code).toBe(code ?? 'PIPELINE_INVALID');
    const lines = issueLines(err);
    expect(lines[0]?.startsWith(first), `first error was: ${lines[0]}`).toBe(true);
    expect(err.message.split('\n')[0]).toBe(lines[0]);
    expect(err.data.file).toBe(f);
    expect(typeof err.data.line).toBe('number');
    expect(typeof err.data.column).toBe('number');
  });

  test('every problem in the file is reported at once, in file order', () => {
    const yaml = [
      'jobs:',
      '  a:',
      '    run-on: x',
      '    steps:',
      '      - run: echo ${{ foo( }}',
      '        shel: bash',
      '      - uses: actions/foo@v1',
      '      - run: x',
      '        shell: zsh',
      '  b:',
      '    needs: [zz]',
      '    steps:',
      '      - run: x',
      '',
    ].join('\n');
    const err = catchError(() => parsePipeline(yaml, 'w.yml'));
    expect(err.code).toBe('PIPELINE_INVALID');
    expect(issueLines(err)).toEqual([
      "w.yml:3:5: unknown key 'run-on' (did you mean 'runs-on'?)",
      "w.yml:5:19: Unexpected end of expression: '('",
      "w.yml:6:9: unknown key 'shel' (did you mean 'shell'?)",
      "w.yml:7:15: unsupported action 'actions/foo@v1': cairn runs actions/checkout@<ref> and local composite actions (uses: ./path)",
      "w.yml:9:16: unknown shell 'zsh': use bash, sh, python, ruby, node, pwsh, or a command template containing {0}",
      "w.yml:11:13: job 'b' needs 'zz', which is not a job in this pipeline (jobs: a, b)",
    ]);
  });

  test('a file over the size limit is refused before parsing', () => {
    const err = catchError(() => parsePipeline(`# ${'x'.repeat(1024 * 1024)}\njobs: {}\n`, f));
    expect(err.message).toMatch(/^ci\.yml:1:1: the pipeline file is larger than/);
  });
});
