import { describe, expect, it } from 'vitest';
import { CairnError, ERROR_CODES, exitCodeOf } from '../../src/util/errors.js';

describe('CairnError', () => {
  it.each([
    ['USAGE', 2, 400],
    ['JOB_FAILED', 1, 200],
    ['NO_LEADER', 3, 503],
    ['UNPLACEABLE', 2, 422],
  ] as const)('%s maps to exit %i and HTTP %i', (code, exit, http) => {
    const err = new CairnError(code, 'm', { x: 1 });
    expect(err.exitCode).toBe(exit);
    expect(err.httpStatus).toBe(http);
    expect(err.toJSON()).toEqual({ error: { code, message: 'm', data: { x: 1 } } });
  });

  it('maps anything that is not a CairnError to exit 1', () => {
    expect(exitCodeOf(new Error('x'))).toBe(1);
    expect(Object.keys(ERROR_CODES)).toContain('INTERNAL');
  });
});
