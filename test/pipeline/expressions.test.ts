import { describe, expect, test } from 'vitest';
import {
  evaluateCondition,
  evaluateExpression,
  interpolate,
  validateExpressions,
  type ExpressionContext,
  type JobStatus,
  type JsonValue,
} from '../../src/pipeline/index.js';
import { catchError, emptyContext } from './helpers.js';

const ctx: ExpressionContext = {
  ...emptyContext(),
  github: { ref: 'refs/heads/main', event_name: 'push', event: { commits: [{ id: 'a' }, { id: 'b' }] } },
  env: { X: 'y', EMPTY: '' },
  matrix: { node: 22, os: 'ubuntu', ratio: 1.5 },
  needs: { build: { result: 'success', outputs: { version: '1.2.3' } } },
  steps: { s: { outcome: 'failure', conclusion: 'success', outputs: { o: 'out' } } },
  inputs: { debug: true },
  secrets: { TOKEN: 'hunter2' },
};

describe('evaluateExpression', () => {
  test.each<[string, JsonValue]>([
    ['github.ref', 'refs/heads/main'],
    ['${{ github.ref }}', 'refs/heads/main'],
    ['  ${{ matrix.node }}  ', 22],
    ['matrix.node == 22', true],
    ["matrix.os == 'UBUNTU'", true],
    ['env.MISSING', null],
    ["env.EMPTY || 'fallback'", 'fallback'],
    ["needs.build.outputs.version", '1.2.3'],
    ["needs.build.result == 'success'", true],
    ["steps.s.outputs.o", 'out'],
    ["steps.s.outcome", 'failure'],
    ["secrets.TOKEN", 'hunter2'],
    ['inputs.debug', true],
    ["contains('hello', 'ELL')", true],
    ["contains(fromJSON('[1, 2]'), 2)", true],
    ["startsWith(github.ref, 'refs/heads/')", true],
    ["endsWith(github.ref, '/MAIN')", true],
    ["format('{0}-{1}-{{literal}}', matrix.os, matrix.node)", 'ubuntu-22-{literal}'],
    ["join(github.event.commits.*.id, ',')", 'a,b'],
    ["fromJSON('{\"a\": [1, 2]}').a[1]", 2],
    ["toJSON(needs.build.outputs)", '{\n  "version": "1.2.3"\n}'],
    ['1 < 2 && !false', true],
    ['matrix', { node: 22, os: 'ubuntu', ratio: 1.5 }],
    ['v${{ matrix.node }}-${{ matrix.os }}', 'v22-ubuntu'],
  ])('%s', (expr, expected) => {
    expect(evaluateExpression(expr, ctx)).toEqual(expected);
  });

  test('status functions read the given status', () => {
    expect(evaluateExpression('success()', ctx, 'failure')).toBe(false);
    expect(evaluateExpression('failure()', ctx, 'failure')).toBe(true);
    expect(evaluateExpression('success()', ctx)).toBe(true);
  });

  test('hashFiles uses the injected callback, and is an error without one', () => {
    const seen: string[][] = [];
    const hooks = { hashFiles: (p: string[]) => (seen.push(p), 'abc123') };
    expect(evaluateExpression("hashFiles('**/package-lock.json', 'x')", ctx, undefined, hooks)).toBe('abc123');
    expect(seen).toEqual([['**/package-lock.json', 'x']]);
    const err = catchError(() => evaluateExpression("hashFiles('x')", ctx));
    expect(err.code).toBe('EXPRESSION_FAILED');
    expect(err.message).toContain('hashFiles() is not available here');
  });

  test.each([
    ["fromJSON('{')", /^expression 'fromJSON\('\{'\)': /],
    ['nope.x', /Unrecognized named-value: 'nope'/],
    ['foo(1)', /Unrecognized function: 'foo'/],
    ['(1', /^expression '\(1'/],
  ])('%s fails with EXPRESSION_FAILED', (expr, message) => {
    const err = catchError(() => evaluateExpression(expr, ctx));
    expect(err.code).toBe('EXPRESSION_FAILED');
    expect(err.message).toMatch(message);
  });
});

describe('interpolate', () => {
  test.each<[string, string]>([
    ['plain text', 'plain text'],
    ['node ${{ matrix.node }} on ${{matrix.os}}', 'node 22 on ubuntu'],
    ['[${{ env.MISSING }}]', '[]'],
    ['${{ inputs.debug }} ${{ !inputs.debug }}', 'true false'],
    ['${{ matrix.ratio }}', '1.5'],
    ['${{ matrix }} ${{ fromJSON(\'[1]\') }}', 'Object Array'],
    ["${{ '}}' }}", '}}'],
    ["${{ 'it''s' }}", "it's"],
    ['$HOME ${ x } {{ y }}', '$HOME ${ x } {{ y }}'],
  ])('%s', (template, expected) => {
    expect(interpolate(template, ctx)).toBe(expected);
  });

  test('an unclosed expression is an error', () => {
    expect(catchError(() => interpolate('echo ${{ matrix.os', ctx)).code).toBe('EXPRESSION_FAILED');
  });
});

describe('evaluateCondition has GitHub semantics', () => {
  test.each<[string | undefined, JobStatus, boolean]>([
    [undefined, 'success', true],
    [undefined, 'failure', false],
    [undefined, 'cancelled', false],
    ['', 'failure', false],
    ['always()', 'failure', true],
    ['always()', 'cancelled', true],
    ['${{ always() }}', 'failure', true],
    ['failure()', 'failure', true],
    ['failure()', 'success', false],
    ['success()', 'success', true],
    ['cancelled()', 'cancelled', true],
    ['!cancelled()', 'failure', true],
    ['success() || failure()', 'cancelled', false],
    ['Always()', 'failure', true],
    // No status function: implicitly success() && (...).
    ["env.X == 'y'", 'success', true],
    ["env.X == 'y'", 'failure', false],
    ["${{ env.X == 'y' }}", 'success', true],
    ["env.X == 'z'", 'success', false],
    ['false', 'success', false],
    ['${{ false }}', 'success', false],
    ['true', 'failure', false],
    ["failure() && steps.s.outcome == 'failure'", 'failure', true],
    ["steps.s.conclusion == 'success'", 'success', true],
    // Text around ${{ }} makes a non-empty string: true (a well-known GitHub pitfall, kept).
    ["${{ env.X }} == 'z'", 'success', true],
    // 'success' inside a string is not a call.
    ["contains('success()', 'x')", 'failure', false],
  ])('if: %s with status %s -> %s', (cond, status, expected) => {
    expect(evaluateCondition(cond, ctx, status)).toBe(expected);
  });
});

describe('validateExpressions', () => {
  test.each<[string, boolean, Array<{ offset: number; message: RegExp }>]>([
    ['echo ${{ github.sha }} and ${{ matrix.x }}', false, []],
    ['echo ${{ foo( }}', false, [{ offset: 5, message: /invalid expression 'foo\(': / }]],
    ['a ${{ nope.x }} b ${{ (1 }}', false, [{ offset: 2, message: /nope/ }, { offset: 18, message: /\(1/ }]],
    ['bad ${{ x', false, [{ offset: 4, message: /not closed/ }]],
    ['success() &&', true, [{ offset: 0, message: /invalid expression/ }]],
    ["github.ref == 'x'", true, []],
    ['${{ always() }}', true, []],
  ])('%s', (template, bare, expected) => {
    const problems = validateExpressions(template, bare);
    expect(problems.map((p) => p.offset)).toEqual(expected.map((e) => e.offset));
    problems.forEach((p, i) => expect(p.message).toMatch(expected[i]!.message));
  });
});
