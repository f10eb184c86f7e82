import { execFile } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cp, copyFile, lstat, mkdir, readlink, symlink } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { StepSpec } from '../pipeline/index.js';
import { interpolate } from '../pipeline/index.js';
import { CairnError } from '../util/errors.js';
import type { JobState, StepFrame } from './job-state.js';
import type { ProcessStepOutcome } from './run-step.js';

/** Files copied at once: enough to hide latency, few enough not to exhaust file descriptors. */
const copyConcurrencyMax = 32;

/** Directories never copied from a tree that is not a git repository: ours, and the VCS's. */
const skippedDirs = new Set(['.cairn', '.git']);

/** Whether `uses:` names the built-in checkout. */
export function isCheckout(uses: string): boolean {
  return /^actions\/checkout@/.test(uses);
}

/**
 * The built-in `actions/checkout`. With no `repository`/`ref` it copies the working tree the
 * user sees, uncommitted changes included: in a git repository the tracked and untracked,
 * not-ignored files (`git ls-files`), on top of a `--shared` clone so `git` works in the
 * workspace; elsewhere the whole directory. With `repository` (owner/name, a URL or a path)
 * or `ref` it clones and checks out that revision. `path` puts it in a subdirectory.
 */
export async function checkoutStep(
  state: JobState,
  frame: StepFrame,
  step: StepSpec,
  env: Record<string, string>,
  signal: AbortSignal,
): Promise<ProcessStepOutcome> {
  const ctx = state.context(frame, env);
  const input = (k: string): string => {
    const v = step.with[k];
    return v === undefined ? '' : interpolate(v, ctx, state.status(frame), state.hooks).trim();
  };
  const { workspace, sourceDir } = state.spec;
  const target = resolve(workspace, input('path') || '.');
  if (relative(workspace, target).startsWith('..')) {
    throw new CairnError('INVALID_INPUT', `checkout path '${input('path')}' leaves the workspace`, { path: input('path') });
  }
  const say = (text: string): Promise<void> => state.log.line(text, state.secrets);
  const repository = input('repository');
  const ref = input('ref');
  emptyDir(target);
  if (repository !== '' || ref !== '') {
    const url = repository === '' ? gitTopLevel(sourceDir) ?? sourceDir : repositoryUrl(repository, sourceDir);
    await say(`cloning ${url}${ref === '' ? '' : ` at ${ref}`} into ${target}`);
    await git(['clone', '--quiet', '--no-checkout', url, target], workspace, signal);
    await git(['checkout', '--quiet', ref === '' ? 'HEAD' : ref], target, signal);
    return { exitCode: 0, outputs: {}, cancelled: false };
  }
  const top = gitTopLevel(sourceDir);
  if (top === undefined) {
    await say(`copying ${sourceDir} into ${target}`);
    await copyTree(sourceDir, target);
    return { exitCode: 0, outputs: {}, cancelled: false };
  }
  await say(`copying the working tree of ${top} into ${target}`);
  await git(['clone', '--quiet', '--shared', '--no-checkout', top, target], workspace, signal);
  const listed = await git(['ls-files', '-z', '--cached', '--others', '--exclude-standard'], top, signal);
  // cairn's own run directory (logs being written right now) is never part of the checkout.
  const files = [...new Set(listed.split('\0').filter((f) => f !== '' && !f.startsWith('.cairn/')))];
  await copyFiles(top, target, files);
  // Fills the index from HEAD so `git status` in the workspace shows the user's changes;
  // a repository without commits has no HEAD, which is fine.
  await git(['reset', '--quiet'], target, signal).catch(() => undefined);
  return { exitCode: 0, outputs: {}, cancelled: false };
}

function repositoryUrl(repository: string, sourceDir: string): string {
  if (/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository) && !existsSync(resolve(sourceDir, repository))) {
    return `https://github.com/${repository}`;
  }
  return /^[a-z+]+:\/\//.test(repository) || repository.includes('@') ? repository : resolve(sourceDir, repository);
}

/** The top of the git work tree holding `dir`, found without starting git. */
export function gitTopLevel(dir: string): string | undefined {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return undefined;
  }
}

function emptyDir(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new CairnError('INVALID_INPUT', `checkout target ${dir} is not a directory`, { dir });
  for (const name of readdirSync(dir)) rmSync(join(dir, name), { recursive: true, force: true });
}

/** Copies a directory that is not a git repository, leaving out cairn's run directory, `.git` and the target itself. */
async function copyTree(from: string, to: string): Promise<void> {
  for (const name of readdirSync(from)) {
    const src = join(from, name);
    if (skippedDirs.has(name)) continue;
    const inside = relative(src, to);
    if (inside === '' || !inside.startsWith('..')) continue; // the workspace lives in here
    await cp(src, join(to, name), { recursive: true, verbatimSymlinks: true });
  }
}

async function copyFiles(from: string, to: string, files: string[]): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const f = files[next++]!;
      await copyOne(join(from, f), join(to, f));
    }
  };
  await Promise.all(Array.from({ length: Math.min(copyConcurrencyMax, files.length) }, worker));
}

async function copyOne(src: string, dst: string): Promise<void> {
  let st;
  try {
    st = await lstat(src);
  } catch {
    return; // a tracked file deleted in the working tree stays deleted
  }
  await mkdir(dirname(dst), { recursive: true });
  if (st.isSymbolicLink()) await symlink(await readlink(src), dst);
  else if (st.isDirectory()) await cp(src, dst, { recursive: true, verbatimSymlinks: true }); // a submodule
  else await copyFile(src, dst);
}

/** What git may print to stdout (`ls-files` of a large tree runs to tens of MB); execa's default, which this used before. */
const gitOutputBytesMax = 100 * 1024 * 1024;

/** Runs git to completion; its stdout, or a JOB_FAILED error with its stderr. */
function git(args: string[], cwd: string, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('git', args, { cwd, signal, maxBuffer: gitOutputBytesMax, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (signal.aborted) reject(new CairnError('JOB_FAILED', 'checkout cancelled'));
      else if (err) {
        const code = typeof err.code === 'number' ? err.code : (err.signal ?? err.code);
        reject(new CairnError('JOB_FAILED', `git ${args[0]} failed (exit ${code}): ${(stderr || err.message).trim().slice(0, 2000)}`, { args }));
      } else resolve(stdout);
    });
    child.stdin?.end();
  });
}
