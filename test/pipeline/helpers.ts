import { expect } from 'vitest';
import { CairnError } from '../../src/util/errors.js';
import type { PipelineIssue } from '../../src/pipeline/index.js';

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
