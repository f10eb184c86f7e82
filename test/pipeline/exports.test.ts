import { expect, test } from 'vitest';
import * as pipeline from '../../src/pipeline/index.js';

// The executor and the cluster code against these names: a change here is a contract change.
test('the pipeline front door exports exactly these values', () => {
  expect(Object.keys(pipeline).sort()).toEqual([
    'defaultInputs',
    'defaultName',
    'evaluateCondition',
    'evaluateExpression',
    'expandMatrix',
    'formatIssue',
    'instanceKey',
    'interpolate',
    'isScriptPipeline',
    'isSupportedUses',
    'isTemplate',
    'isTruthy',
    'isValidShell',
    'jobOf',
    'parseAction',
    'parsePipeline',
    'parseScriptPipeline',
    'planPipeline',
    'shellNames',
    'stepDisplayName',
    'validateExpressions',
  ]);
});
