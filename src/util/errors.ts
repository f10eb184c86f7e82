/**
 * Operating errors: every failure a user can cause or meet has a stable `code`, a `data`
 * payload and an optional `cause`. One table maps each code to an HTTP status and a CLI exit
 * code (SPEC.md: 0 success, 1 a job failed, 2 usage or invalid input, 3 cluster unreachable).
 * Programmer errors use `assert()` instead and are never caught.
 */

export const ERROR_CODES = {
  USAGE: { http: 400, exit: 2 },
  INVALID_INPUT: { http: 400, exit: 2 },
  PIPELINE_INVALID: { http: 400, exit: 2 },
  PIPELINE_NOT_FOUND: { http: 404, exit: 2 },
  NEEDS_CYCLE: { http: 400, exit: 2 },
  EXPRESSION_FAILED: { http: 422, exit: 1 },
  UNKNOWN_USES: { http: 400, exit: 2 },
  UNPLACEABLE: { http: 422, exit: 2 },
  NOT_FOUND: { http: 404, exit: 2 },
  PAYLOAD_TOO_LARGE: { http: 413, exit: 2 },
  UNAUTHORIZED: { http: 401, exit: 2 },
  CONFLICT: { http: 409, exit: 2 },
  JOB_FAILED: { http: 200, exit: 1 },
  NO_LEADER: { http: 503, exit: 3 },
  UNREACHABLE: { http: 503, exit: 3 },
  STORAGE_CORRUPT: { http: 500, exit: 1 },
  STORAGE_FAILED: { http: 500, exit: 1 },
  NOT_IMPLEMENTED: { http: 501, exit: 2 },
  INTERNAL: { http: 500, exit: 1 },
} as const satisfies Record<string, { http: number; exit: number }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface CairnErrorJSON {
  error: { code: ErrorCode; message: string; data: Record<string, unknown> };
}

/** An operating error with a stable code; see ERROR_CODES for its HTTP status and exit code. */
export class CairnError extends Error {
  readonly code: ErrorCode;
  readonly data: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CairnError';
    this.code = code;
    this.data = data;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }

  toJSON(): CairnErrorJSON {
    return { error: { code: this.code, message: this.message, data: this.data } };
  }
}

/** Programmer-error check; stays on in production and crashes on a broken invariant. */
export function assert(condition: unknown, message = 'assertion failed'): asserts condition {
  if (!condition) throw new Error(`cairn invariant violated: ${message}`);
}

/** Exit code for anything thrown: typed errors map through the table, anything else is 1. */
export function exitCodeOf(err: unknown): number {
  return err instanceof CairnError ? err.exitCode : 1;
}
