import { join } from 'node:path';
import { checkLogId } from '../logs/index.js';

/** The files of one attempt's log under the logs directory (`logs/<job>/<attempt>.*`). */
export interface LogPaths {
  dir: string;
  /** Raw bytes, while running and until compressed at rest. */
  log: string;
  /** The same bytes compressed (zstd seekable format) once finished. */
  zst: string;
  /** Chunk index: fixed-size records (offset, time, length). */
  idx: string;
  /** End marker (JSON): chunks, bytes, SHA-256, end time. Present once the attempt finished. */
  end: string;
}

/** Paths of an attempt's log; validates the id, since it comes from peers and URLs. */
export function logPaths(root: string, job: string, attempt: number): LogPaths {
  checkLogId(job, attempt);
  const dir = join(root, job);
  const base = join(dir, String(attempt));
  return { dir, log: `${base}.log`, zst: `${base}.log.zst`, idx: `${base}.idx`, end: `${base}.end` };
}
