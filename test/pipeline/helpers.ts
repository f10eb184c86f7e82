import { expect } from 'vitest';
import { CairnError } from '../../src/util/errors.js';
import type { JobSpec, Pipeline, PipelineIssue } from '../../src/pipeline/index.js';

/** Runs `fn`, expects a CairnError, and returns it. */
export function catchError(fn: () => unknown): CairnError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CairnError);
    return err as CairnError;
  }
  throw new Error('expected a CairnError, got none');
}

/** The `file:line:col: message` lines of a pipeline error. */
export function issueLines(err: CairnError): string[] {
  return ((err.data.errors ?? []) as PipelineIssue[]).map((i) => `${i.file}:${i.line}:${i.column}: ${i.message}`);
}

/** An empty expression context to build on. */
export function emptyContext() {
  return {
    github: {},
    env: {},
    matrix: {},
    needs: {},
    steps: {},
    job: { status: 'success' },
    runner: {},
    inputs: {},
    secrets: {},
    strategy: {},
  };
}

/** A pipeline of jobs with only ids and needs, as the planner sees it. */
export function graph(jobs: Array<[string, string[]]>): Pipeline {
  return {
    name: 'g',
    file: 'g.yml',
    kind: 'workflow',
    on: { schedule: [] },
    env: {},
    defaults: {},
    jobs: jobs.map(([id, needs], i): JobSpec => ({
      id, name: id, runsOn: [], labels: [], needs, env: {}, defaults: {}, continueOnError: false, outputs: {},
      steps: [{ index: 0, name: 'x', run: 'true', with: {}, env: {}, continueOnError: false, loc: { file: 'g.yml', line: i + 2, column: 5 } }],
      retry: { max: 2, on: ['node-lost'] }, artifacts: [], sandbox: 'none', loc: { file: 'g.yml', line: i + 1, column: 3 },
    })),
  };
}
