import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { CairnError } from '../src/util/errors.js';

/** True if a process with this pid exists (signal 0 probes without sending anything). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads a pidfile; null when there is none. */
export function readPid(file: string): number | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const pid = Number(text.trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new CairnError('INVALID_INPUT', `${file} does not hold a process id`);
  return pid;
}

/** Writes our pid, refusing when another live node already owns this data dir. */
export function claimPidfile(file: string): void {
  const other = readPid(file);
  if (other !== null && other !== process.pid && processAlive(other)) {
    throw new CairnError('CONFLICT', `a node (pid ${other}) already runs on this data directory`, { pid: other });
  }
  writeFileSync(file, `${process.pid}\n`);
}

export function releasePidfile(file: string): void {
  if (readPidSafe(file) === process.pid) rmSync(file, { force: true });
}

function readPidSafe(file: string): number | null {
  try {
    return readPid(file);
  } catch {
    return null;
  }
}
