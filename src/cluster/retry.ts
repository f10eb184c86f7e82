/** The retry policy: whether an attempt that ended badly gets a next attempt. */
import type { RetryPolicy } from '../pipeline/types.js';
import type { JobRecord } from './types.js';

export type RetryCause = 'node-lost' | 'failure';

/**
 * A job is retried when the cause is in its policy's `on` and it has used fewer than `max`
 * retries (attempts beyond the first). With the default policy (max 2, on node-lost) a job whose
 * node dies three times ends `lost`; a failing job is not retried.
 */
export function shouldRetry(policy: RetryPolicy, attemptsSoFar: number, cause: RetryCause): boolean {
  return policy.on.includes(cause) && attemptsSoFar - 1 < policy.max;
}

/** The reason recorded when a job is re-queued or gives up. */
export function retryReason(job: JobRecord, cause: RetryCause, detail: string, retried: boolean): string {
  const n = job.attempts.length;
  if (retried) return `attempt ${n} ${detail}; retrying as attempt ${n + 1}`;
  const policy = job.retry.on.includes(cause) ? `retries exhausted (${job.retry.max})` : `${cause} is not retried`;
  return `attempt ${n} ${detail}; ${policy}`;
}
