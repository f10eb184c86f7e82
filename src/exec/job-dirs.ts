import { closeSync, constants, fstatSync, ftruncate, mkdirSync, openSync, readdirSync, rmSync, unlinkSync, type Dirent } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { commandFilesDir, isStepScriptName } from './run-step.js';

const ftruncateAsync = promisify(ftruncate);

/** Where one job runs: its workspace (GITHUB_WORKSPACE) and temp directory (RUNNER_TEMP), both inside `root`. */
export interface JobDirs {
  root: string;
  workspace: string;
  tempDir: string;
}

/**
 * Job directories recycled instead of removed and created again for every job. A new file
 * or directory costs an inode, and ext4 without a journal (these machines) skips every
 * inode freed in the last one to six minutes with a block lookup each, so on a disk that
 * has just deleted thousands of files (a node that ran thousands of jobs) creating a job's
 * eight files and directories costs milliseconds of system time, more as more jobs ran. A
 * given-back job's directories are emptied in the background: every directory directly in
 * its root (the workspace, a caller's `src`) of all it holds; the temp directory of all but
 * the executor's own step files and scripts, which are truncated, so nothing of one job
 * reaches the next, and then reused in place by the next job's steps. Like a self-hosted
 * GitHub runner's `_work`, the path is the same from one job to the next.
 */
export class JobDirPool {
  readonly #root: string;
  readonly #free: JobDirs[] = [];
  readonly #emptying = new Set<Promise<void>>();
  #created = 0;

  /** Directories live in `root`/0, `root`/1, ...; `root` is the pool's alone. */
  constructor(root: string) {
    this.#root = root;
  }

  /**
   * Empty directories for a job, which exist (so runJob need not make them: `dirsExist`):
   * emptied ones when there are, else new ones.
   */
  take(): JobDirs {
    const free = this.#free.pop();
    if (free !== undefined) return free;
    const root = join(this.#root, String(this.#created++));
    const dirs = { root, workspace: join(root, 'work'), tempDir: join(root, 'temp') };
    try {
      mkdirSync(root, { recursive: true });
      mkdirSync(dirs.workspace);
      mkdirSync(dirs.tempDir);
    } catch {
      // None or all: the caller finds the root missing and lets runJob make them (no `dirsExist`), or fail to.
      rmSync(root, { recursive: true, force: true });
    }
    return dirs;
  }

  /**
   * Takes a job's directories back once the job has ended (runJob has ended its processes).
   * They are emptied in the background and then handed out again (the promise settles then);
   * directories that cannot be emptied are removed instead and never handed out again.
   */
  give(dirs: JobDirs): Promise<void> {
    const done: Promise<void> = emptyJobDirs(dirs)
      .then(
        () => {
          this.#free.push(dirs);
        },
        () => rm(dirs.root, { recursive: true, force: true }).catch(() => undefined),
      )
      .finally(() => this.#emptying.delete(done));
    this.#emptying.add(done);
    return done;
  }

  /** Once every job has given its directories back: waits for their emptying, then removes them all. */
  async close(): Promise<void> {
    while (this.#emptying.size > 0) await Promise.all(this.#emptying);
    const roots = this.#free.splice(0).map((d) => d.root);
    await Promise.all(roots.map((r) => rm(r, { recursive: true, force: true })));
  }
}

/**
 * Empties a finished job's directories for the next job, keeping every inode it can (see
 * JobDirPool). The few small directories are read, and files unlinked, at once (a
 * thread-pool round trip costs more than these syscalls); what waits for the disk goes to
 * the thread pool: trees a job left behind, which may be large, and the data of the files
 * kept (freeing a block waits for its discard on these disks: ~1 ms of the main thread per
 * job for a step's script under load).
 */
export async function emptyJobDirs(dirs: JobDirs): Promise<void> {
  const pending: Array<Promise<void>> = [];
  const later = (work: Promise<void>): void => {
    pending.push(work);
  };
  try {
    let kept = 0;
    for (const e of entriesOf(dirs.root)) {
      const path = join(dirs.root, e.name);
      if (!e.isDirectory()) unlinkSync(path);
      else if (path === dirs.tempDir) emptyTempDir(path, later);
      else emptyDir(path, later);
      if (e.isDirectory() && (path === dirs.workspace || path === dirs.tempDir)) kept++;
    }
    // The next job's executor does not make them (see take): one the job removed is made again.
    if (kept < 2) {
      mkdirSync(dirs.workspace, { recursive: true });
      mkdirSync(dirs.tempDir, { recursive: true });
    }
  } catch (err) {
    // No removal may be left unobserved; the first error is the one that counts.
    await Promise.allSettled(pending);
    throw err;
  }
  await Promise.all(pending);
}

/** Removes what a directory holds, keeping the directory. */
function emptyDir(dir: string, later: (work: Promise<void>) => void): void {
  for (const e of entriesOf(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory()) later(removeTree(path));
    else unlinkSync(path);
  }
}

/** Truncates the executor's step scripts and step command files, removes everything else. */
function emptyTempDir(dir: string, later: (work: Promise<void>) => void): void {
  for (const e of entriesOf(dir)) {
    const path = join(dir, e.name);
    if (e.isFile() && isStepScriptName(e.name)) truncate(path, later);
    else if (e.isDirectory() && e.name === commandFilesDir) {
      for (const f of entriesOf(path)) {
        if (f.isFile()) truncate(join(path, f.name), later);
        else if (f.isDirectory()) later(removeTree(join(path, f.name)));
        else unlinkSync(join(path, f.name));
      }
    } else if (e.isDirectory()) later(removeTree(path));
    else unlinkSync(path);
  }
}

function removeTree(path: string): Promise<void> {
  return rm(path, { recursive: true, force: true });
}

/**
 * Empties a file, keeping its inode. An empty one (most step files) costs an open, a stat
 * and a close; one with data is truncated in the thread pool. A symbolic link a job put in
 * the file's place is not followed.
 */
function truncate(path: string, later: (work: Promise<void>) => void): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_NOFOLLOW);
  let empty = true;
  try {
    empty = fstatSync(fd).size === 0;
  } finally {
    if (empty) closeSync(fd);
  }
  if (!empty) later(ftruncateAsync(fd, 0).finally(() => closeSync(fd)));
}

/** A directory's entries; none when it does not exist (a job skipped before it made its directories). */
function entriesOf(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
