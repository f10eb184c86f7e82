import type { JobSpec, RetryPolicy, SourceLocation } from './types.js';

/** SPEC.md's default retry policy: a job whose node is lost runs again up to twice; a failure is not retried. */
export const defaultRetryPolicy: RetryPolicy = { max: 2, on: ['node-lost'] };

/** A job with every field at its default: the parser fills it in, script pipelines add one step. */
export function emptyJob(id: string, loc: SourceLocation): JobSpec {
  return {
    id,
    name: id,
    runsOn: [],
    labels: [],
    needs: [],
    env: {},
    defaults: {},
    continueOnError: false,
    outputs: {},
    steps: [],
    retry: { max: defaultRetryPolicy.max, on: [...defaultRetryPolicy.on] },
    artifacts: [],
    sandbox: 'none',
    loc,
  };
}
