import { data, Evaluator, Lexer, Parser, type Expr } from '@actions/expressions';
import type { FunctionDefinition, FunctionInfo } from '@actions/expressions/funcs/info';
import { falsy } from '@actions/expressions/result';
import { TokenType } from '@actions/expressions/lexer';
import { CairnError } from '../util/errors.js';
import { scanTemplate, soleExpression } from './expression-scan.js';
import type { ExpressionContext, ExpressionHooks, JobStatus, JsonValue, Template } from './types.js';

/** Context names an expression may read (`vars` is GitHub's configuration variables: empty here). */
export const contextNames: readonly string[] = [
  'github', 'env', 'matrix', 'needs', 'steps', 'job', 'runner', 'inputs', 'secrets', 'strategy', 'vars',
];

/** Functions that read the job's status; an `if:` using none of them is implicitly `success() && (...)`. */
const statusFunctions = ['success', 'failure', 'always', 'cancelled'];

/** GitHub allows hashFiles up to this many patterns. */
const hashFilesPatternsMax = 255;

const extensionFunctions: FunctionInfo[] = [
  ...statusFunctions.map((name) => ({ name, minArgs: 0, maxArgs: 0 })),
  { name: 'hashFiles', minArgs: 1, maxArgs: hashFilesPatternsMax },
];

/** Parses one expression (without `${{ }}`); throws `ExpressionError` on bad syntax. */
function parse(expr: string): Expr {
  const { tokens } = new Lexer(expr).lex();
  return new Parser(tokens, [...contextNames], extensionFunctions).parse();
}

/** Whether an expression calls one of the status functions. */
function usesStatusFunction(expr: string): boolean {
  const { tokens } = new Lexer(expr).lex();
  return tokens.some((t, i) =>
    t.type === TokenType.IDENTIFIER &&
    statusFunctions.includes(t.lexeme.toLowerCase()) &&
    tokens[i + 1]?.type === TokenType.LEFT_PAREN);
}

/** Converts plain JSON into the library's data model. */
export function toExpressionData(v: JsonValue | undefined): data.ExpressionData {
  if (v === null || v === undefined) return new data.Null();
  if (typeof v === 'boolean') return new data.BooleanData(v);
  if (typeof v === 'number') return new data.NumberData(v);
  if (typeof v === 'string') return new data.StringData(v);
  if (Array.isArray(v)) return new data.Array(...v.map(toExpressionData));
  return new data.Dictionary(...Object.entries(v).map(([key, value]) => ({ key, value: toExpressionData(value) })));
}

/** Converts the library's data model back to plain JSON. */
export function fromExpressionData(d: data.ExpressionData): JsonValue {
  switch (d.kind) {
    case data.Kind.Null: return null;
    case data.Kind.Boolean: return (d as data.BooleanData).value;
    case data.Kind.Number: return (d as data.NumberData).value;
    case data.Kind.String: return (d as data.StringData).value;
    case data.Kind.Array: return (d as data.Array).values().map(fromExpressionData);
    default: {
      const out: Record<string, JsonValue> = {};
      for (const { key, value } of (d as data.Dictionary).pairs()) out[key] = fromExpressionData(value);
      return out;
    }
  }
}

function contextDictionary(ctx: ExpressionContext): data.Dictionary {
  const plain: Record<string, JsonValue> = {
    github: ctx.github,
    env: ctx.env,
    matrix: ctx.matrix,
    needs: ctx.needs as unknown as JsonValue,
    steps: ctx.steps as unknown as JsonValue,
    job: ctx.job as unknown as JsonValue,
    runner: ctx.runner,
    inputs: ctx.inputs,
    secrets: ctx.secrets,
    strategy: ctx.strategy,
    vars: {},
  };
  return toExpressionData(plain) as data.Dictionary;
}

function functionTable(status: JobStatus | undefined, hooks: ExpressionHooks | undefined): Map<string, FunctionDefinition> {
  const fns = new Map<string, FunctionDefinition>();
  const fixed = (name: string, value: () => boolean): void => {
    fns.set(name, { name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(value()) });
  };
  // Without a status (e.g. at plan time) the job has not failed, so success() holds.
  fixed('success', () => (status ?? 'success') === 'success');
  fixed('failure', () => status === 'failure');
  fixed('cancelled', () => status === 'cancelled');
  fixed('always', () => true);
  fns.set('hashfiles', {
    name: 'hashFiles',
    minArgs: 1,
    maxArgs: hashFilesPatternsMax,
    call: (...args) => {
      if (hooks?.hashFiles === undefined) throw new Error('hashFiles() is not available here');
      return new data.StringData(hooks.hashFiles(args.map((a) => a.coerceString())));
    },
  });
  return fns;
}

function evaluateData(expr: string, ctx: ExpressionContext, status?: JobStatus, hooks?: ExpressionHooks): data.ExpressionData {
  try {
    return new Evaluator(parse(expr), contextDictionary(ctx), functionTable(status, hooks)).evaluate();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new CairnError('EXPRESSION_FAILED', `expression '${expr}': ${message}`, { expression: expr }, { cause: err });
  }
}

/**
 * Evaluates an expression, written with or without `${{ }}`. A string mixing text and
 * expressions evaluates to the interpolated string. Throws `EXPRESSION_FAILED`.
 */
export function evaluateExpression(expr: string, ctx: ExpressionContext, status?: JobStatus, hooks?: ExpressionHooks): JsonValue {
  const sole = soleExpression(expr);
  if (sole !== undefined) return fromExpressionData(evaluateData(sole, ctx, status, hooks));
  if (expr.includes('${{')) return interpolate(expr, ctx, status, hooks);
  return fromExpressionData(evaluateData(expr, ctx, status, hooks));
}

/** Replaces each `${{ }}` in a template by its value, stringified as GitHub does (null → '', objects → 'Object'). */
export function interpolate(template: Template, ctx: ExpressionContext, status?: JobStatus, hooks?: ExpressionHooks): string {
  const { parts, error } = scanTemplate(template);
  if (error) throw new CairnError('EXPRESSION_FAILED', error.message, { expression: template });
  let out = '';
  for (const p of parts) out += p.kind === 'text' ? p.text : evaluateData(p.expr, ctx, status, hooks).coerceString();
  return out;
}

/**
 * Evaluates an `if:` with GitHub's semantics: absent means `success()`; an expression that
 * calls none of success()/failure()/always()/cancelled() means `success() && (expr)`.
 * `status` is the job's status so far (for a job-level `if:`, derived from its needs).
 */
export function evaluateCondition(cond: string | undefined, ctx: ExpressionContext, status: JobStatus, hooks?: ExpressionHooks): boolean {
  if (cond === undefined || cond.trim() === '') return status === 'success';
  const sole = soleExpression(cond);
  if (sole === undefined && cond.includes('${{')) {
    // Text around `${{ }}` makes the whole condition a string, true when not empty (as on GitHub).
    return status === 'success' && interpolate(cond, ctx, status, hooks) !== '';
  }
  const expr = sole ?? cond;
  const value = !falsy(evaluateData(expr, ctx, status, hooks));
  return usesStatusFunction(expr) ? value : status === 'success' && value;
}

/** A syntax problem in a template's expressions; `offset` is where its `${{` starts. */
export interface ExpressionProblem {
  offset: number;
  message: string;
}

/**
 * Checks the syntax of every `${{ }}` in a template (or of a bare expression when `bare`),
 * including unknown contexts and functions and wrong argument counts.
 */
export function validateExpressions(template: Template, bare = false): ExpressionProblem[] {
  const { parts, error } = bare && !template.includes('${{')
    ? { parts: [{ kind: 'expr' as const, expr: template, offset: 0 }], error: undefined }
    : scanTemplate(template);
  if (error) return [error];
  const problems: ExpressionProblem[] = [];
  for (const p of parts) {
    if (p.kind !== 'expr') continue;
    try {
      parse(p.expr);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      problems.push({ offset: p.offset, message: `invalid expression '${p.expr}': ${message}` });
    }
  }
  return problems;
}

/** Returns the JSON value's truthiness as expressions see it. */
export function isTruthy(v: JsonValue): boolean {
  return !falsy(toExpressionData(v));
}
