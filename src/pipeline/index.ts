/**
 * Front door of the pipeline model (pure: no I/O). Text in, data out:
 * - parsePipeline / isScriptPipeline / parseScriptPipeline / parseAction read files' text;
 * - planPipeline expands matrices and orders the job DAG;
 * - evaluateExpression / interpolate / evaluateCondition evaluate `${{ }}` at run time.
 */
export type * from './types.js';
export { parsePipeline, defaultName } from './parse-pipeline.js';
export { isScriptPipeline, parseScriptPipeline } from './script-pipeline.js';
export { parseAction } from './parse-action.js';
export { planPipeline, jobOf, defaultInputs, type PlanOptions } from './plan-pipeline.js';
export {
  evaluateExpression,
  interpolate,
  evaluateCondition,
  validateExpressions,
  isTruthy,
  type ExpressionProblem,
} from './expressions.js';
export { isTemplate } from './expression-scan.js';
export { stepDisplayName } from './step-display-name.js';
export { shellNames, isValidShell, isSupportedUses } from './parse-step.js';
export { formatIssue } from './issues.js';
export { expandMatrix, instanceKey } from './expand-matrix.js';
