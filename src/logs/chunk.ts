import { CairnError } from '../util/errors.js';
import { jobIdBytesMax } from './constants.js';

/**
 * One piece of a job attempt's log, as the owning node cut it. `seq` counts chunks from 0;
 * `offset` is the byte position of `data` in the attempt's log file, so chunk `seq + 1`
 * starts at `offset + data.byteLength`. Every node sees the same chunks with the same numbers:
 * the owner's cut is the only one.
 */
export interface LogChunk {
  job: string;
  attempt: number;
  seq: number;
  offset: number;
  /** When the chunk's first byte was written, owner's clock, ms since the epoch (for the REPL). */
  timeMs: number;
  data: Uint8Array;
}

/**
 * The end marker of an attempt's log: how many chunks and bytes it has, and the SHA-256 of the
 * whole file, so every follower can prove its copy is the owner's, byte for byte.
 */
export interface LogEnd {
  job: string;
  attempt: number;
  /** Number of chunks: the last chunk is `seqEnd - 1`. */
  seqEnd: number;
  bytes: number;
  /** Lower-case hex SHA-256 of the log file. */
  sha256: string;
  timeMs: number;
}

/** A range of chunk sequence numbers, `from` included, `to` excluded. */
export interface SeqRange {
  from: number;
  to: number;
}

/** `job/attempt`, the key of an attempt's log in maps. */
export function logKey(job: string, attempt: number): string {
  return `${job}/${attempt}`;
}

const jobIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Refuses job ids that could not name a directory safely (`..`, slashes, empty, too long)
 * and attempts that are not non-negative integers. Job ids come from peers and from URLs.
 */
export function checkLogId(job: string, attempt: number): void {
  if (job.length === 0 || job.length > jobIdBytesMax || !jobIdPattern.test(job) || job.includes('..')) {
    throw new CairnError('INVALID_INPUT', `not a valid job id for a log: ${JSON.stringify(job.slice(0, jobIdBytesMax))}`, { job: job.slice(0, jobIdBytesMax) });
  }
  if (!Number.isSafeInteger(attempt) || attempt < 0) {
    throw new CairnError('INVALID_INPUT', `not a valid attempt number: ${attempt}`, { job, attempt });
  }
}
