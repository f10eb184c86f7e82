import type { Dirent } from 'node:fs';
import { readdir, rm, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { commandFilesDir, isStepScriptName } from './run-step.js';

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

  /** Empty directories for a job: emptied ones when there are, else new paths (runJob creates them). */
  take(): JobDirs {
    const free = this.#free.pop();
    if (free !== undefined) return free;
    const root = join(this.#root, String(this.#created++));
    return { root, workspace: join(root, 'work'), tempDir: join(root, 'temp') };
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

/** Empties a finished job's directories for the next job, keeping every inode it can (see JobDirPool). */
export async function emptyJobDirs(dirs: JobDirs): Promise<void> {
  const entries = await readdirIfAny(dirs.root);
  await Promise.all(
    entries.map((e) => {
      const path = join(dirs.root, e.name);
      if (!e.isDirectory()) return rm(path, { force: true });
      return path === dirs.tempDir ? emptyTempDir(path) : emptyDir(path);
    }),
  );
}

/** Removes what a directory holds, keeping the directory. */
async function emptyDir(dir: string): Promise<void> {
  const entries = await readdirIfAny(dir);
  await Promise.all(entries.map((e) => rm(join(dir, e.name), { recursive: true, force: true })));
}

/** Truncates the executor's step scripts and step command files, removes everything else. */
async function emptyTempDir(dir: string): Promise<void> {
  const entries = await readdirIfAny(dir);
  await Promise.all(
    entries.map(async (e) => {
      const path = join(dir, e.name);
      if (e.isFile() && isStepScriptName(e.name)) return truncate(path, 0);
      if (e.isDirectory() && e.name === commandFilesDir) {
        const files = await readdirIfAny(path);
        return Promise.all(files.map((f) => (f.isFile() ? truncate(join(path, f.name), 0) : rm(join(path, f.name), { recursive: true, force: true })))).then(() => undefined);
      }
      return rm(path, { recursive: true, force: true });
    }),
  );
}

/** A directory's entries; none when it does not exist (a job skipped before it made its directories). */
async function readdirIfAny(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
