/**
 * Where each kind of record lives in the repository's tree:
 *
 *   config/<key>.json                       one cluster setting (any JSON value)
 *   pipelines/<name>/definition             a registered pipeline, verbatim
 *   pipelines/<name>/source.json            its registration: { name, repo?, ref? }
 *   history/<h0>/<h1>/<h2>/<jobId>/<n>.json attempt n of a job; h0 h1 h2 are the first three
 *                                           hex digits of sha256(jobId)
 *
 * History is sharded by a hash of the job id so that every tree stays small whatever the
 * pattern of ids: a commit rewrites the trees on one record's path, so their size is the cost
 * of a commit. Three levels of 16 keep the upper trees under 500 bytes and give 4,096 leaves,
 * which hold about 12 jobs each at 50,000 jobs and 250 at a million: the cost of a commit
 * stays flat over any history a cluster keeps (with two levels, a leaf held 200 jobs at 50,000
 * and a commit cost three times what it did at 1,000).
 *
 * Layout change (no released store used the old one): stores written before had two levels
 * (history/<h0>/<h1>/<jobId>/). This version neither reads nor migrates them: their records
 * stay in the repository but `cairn history` does not see them. Start such a node on a new
 * data directory.
 */
import { createHash } from 'node:crypto';
import { CairnError } from '../util/errors.js';
import { attemptMax, jobIdLengthMax, nameLengthMax } from './constants.js';

/** A name that is one safe path component: no slash, no leading dot, printable ASCII. */
const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const jobIdPattern = /^[A-Za-z0-9][A-Za-z0-9._:@+-]*$/;

export const configDir = 'config';
export const pipelinesDir = 'pipelines';
export const historyDir = 'history';
export const pipelineDefinitionFile = 'definition';
export const pipelineSourceFile = 'source.json';

/** Checks a pipeline name or config key; the same rule on every node, so it is deterministic. */
export function checkName(name: unknown, what: 'pipeline name' | 'config key'): string {
  if (typeof name !== 'string' || name.length > nameLengthMax || !namePattern.test(name)) {
    throw new CairnError('INVALID_INPUT', `${what} ${JSON.stringify(name)} must be 1 to ${nameLengthMax} of A-Z a-z 0-9 . _ - and not start with . _ or -`, { name });
  }
  return name;
}

export function checkJobId(jobId: unknown): string {
  if (typeof jobId !== 'string' || jobId.length > jobIdLengthMax || !jobIdPattern.test(jobId)) {
    throw new CairnError('INVALID_INPUT', `job id ${JSON.stringify(jobId)} must be 1 to ${jobIdLengthMax} of A-Z a-z 0-9 . _ : @ + -`, { jobId });
  }
  return jobId;
}

export function checkAttempt(n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > attemptMax) {
    throw new CairnError('INVALID_INPUT', `attempt ${String(n)} must be a whole number from 1 to ${attemptMax}`, { attempt: n });
  }
  return n;
}

export function configPath(key: string): string[] {
  return [configDir, `${key}.json`];
}

export function pipelinePath(name: string): string[] {
  return [pipelinesDir, name];
}

/** The directory of one job's attempts. */
export function jobHistoryPath(jobId: string): string[] {
  const h = createHash('sha256').update(jobId).digest('hex');
  return [historyDir, h[0]!, h[1]!, h[2]!, jobId];
}

/** Levels of hex-digit directories between `history/` and a job's directory. */
export const historyShardLevels = 3;

export function attemptFile(attempt: number): string {
  return `${attempt}.json`;
}

/** The attempt number of an `<n>.json` file name, or null for anything else. */
export function attemptOfFile(name: string): number | null {
  const m = /^([1-9][0-9]*)\.json$/.exec(name);
  return m ? Number(m[1]) : null;
}
