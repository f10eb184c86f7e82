import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { JobSpec, JsonValue, Pipeline, Plan, StepSpec } from '../pipeline/index.js';
import { isScriptPipeline, isTemplate, jobOf, parsePipeline, parseScriptPipeline } from '../pipeline/index.js';
import { CairnError } from '../util/errors.js';
import { gitTopLevel } from './checkout.js';
import { loadLocalAction } from './composite-action.js';
import { actionDepthMax } from './constants.js';
import { resolveShell } from './shell.js';

/** The pipeline files a target names (SPEC: `cairn run [FILE|DIR]`). */
export function findPipelineFiles(target: string | undefined, cwd: string): string[] {
  const path = resolve(cwd, target ?? '.');
  if (!existsSync(path)) throw new CairnError('PIPELINE_NOT_FOUND', `${target ?? path}: no such file or directory`, { path });
  if (!statSync(path).isDirectory()) return [path];
  for (const name of ['cairn.yml', 'cairn.yaml']) {
    if (existsSync(join(path, name))) return [join(path, name)];
  }
  const wf = join(path, '.github', 'workflows');
  const files = existsSync(wf)
    ? readdirSync(wf)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => join(wf, f))
    : [];
  if (files.length === 0) {
    throw new CairnError('PIPELINE_NOT_FOUND', `no pipeline in ${path}: expected cairn.yml or .github/workflows/*.yml (run 'cairn init' to write one)`, { path });
  }
  return files;
}

/** Reads a pipeline file: a shebang script or a workflow. */
export function loadPipeline(file: string): Pipeline {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CairnError('PIPELINE_NOT_FOUND', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { file }, { cause: err });
  }
  return isScriptPipeline(text) ? parseScriptPipeline(text, file) : parsePipeline(text, file);
}

/**
 * The project a pipeline belongs to, which `actions/checkout` copies: the git work tree
 * holding the file, else the directory above `.github/workflows`, else the file's directory.
 */
export function projectDir(file: string): string {
  const dir = dirname(file);
  const top = gitTopLevel(dir);
  if (top !== undefined) return top;
  if (basename(dir) === 'workflows' && basename(dirname(dir)) === '.github') return dirname(dirname(dir));
  return dir;
}

/**
 * Checks what only the executor can check, before anything runs: every shell is one we can
 * run, and every local action exists and parses (recursively). Errors name file:line:column.
 */
export function validateRunnable(plan: Plan, sourceDir: string): void {
  const seen = new Set<string>();
  for (const inst of plan.instances) {
    if (seen.has(inst.jobId)) continue;
    seen.add(inst.jobId);
    const job = jobOf(plan, inst);
    checkSteps(job.steps, defaultShell(plan.pipeline, job), sourceDir, 0);
  }
}

function defaultShell(p: Pipeline, job: JobSpec): string | undefined {
  return job.defaults.shell ?? p.defaults.shell;
}

function checkSteps(steps: readonly StepSpec[], shellDefault: string | undefined, sourceDir: string, depth: number): void {
  for (const step of steps) {
    if (step.uses?.startsWith('./')) {
      if (depth >= actionDepthMax) throw at(step, `composite actions nest deeper than ${actionDepthMax} levels`);
      let action;
      try {
        action = loadLocalAction(step.uses, sourceDir, sourceDir);
      } catch (err) {
        if (err instanceof CairnError && err.code === 'UNKNOWN_USES' && err.data.errors === undefined) throw at(step, err.message, 'UNKNOWN_USES');
        throw err;
      }
      checkSteps(action.steps, undefined, sourceDir, depth + 1);
      continue;
    }
    if (step.run === undefined) continue;
    const shell = step.shell ?? shellDefault;
    if (shell === undefined || isTemplate(shell)) continue;
    try {
      resolveShell(shell);
    } catch (err) {
      throw at(step, (err as Error).message);
    }
  }
}

function at(step: StepSpec, message: string, code: 'PIPELINE_INVALID' | 'UNKNOWN_USES' = 'PIPELINE_INVALID'): CairnError {
  const { file, line, column } = step.loc;
  return new CairnError(code, `${file}:${line}:${column}: ${message}`, { file, line, column, errors: [{ file, line, column, message }] });
}

/** The `github` context fields a local run can know: the commit, branch and repository of the project. */
export function gitContext(dir: string): Record<string, JsonValue> {
  const top = gitTopLevel(dir);
  if (top === undefined) return {};
  try {
    let gitDir = join(top, '.git');
    if (statSync(gitDir).isFile()) {
      const m = /^gitdir:\s*(.+)$/m.exec(readFileSync(gitDir, 'utf8'));
      if (m?.[1] === undefined) return {};
      gitDir = resolve(top, m[1].trim());
    }
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
    const out: Record<string, JsonValue> = {};
    if (head.startsWith('ref: ')) {
      const ref = head.slice(5);
      out.ref = ref;
      out.ref_name = ref.replace(/^refs\/(heads|tags)\//, '');
      const sha = readRef(gitDir, ref);
      if (sha !== undefined) out.sha = sha;
    } else {
      out.sha = head;
    }
    const origin = /\[remote "origin"\][^[]*?url\s*=\s*(\S+)/.exec(readConfig(gitDir));
    const repo = origin?.[1] !== undefined ? /([^/:]+\/[^/]+?)(\.git)?$/.exec(origin[1])?.[1] : undefined;
    out.repository = repo ?? basename(top);
    return out;
  } catch {
    return {};
  }
}

function readRef(gitDir: string, ref: string): string | undefined {
  const loose = join(gitDir, ref);
  if (existsSync(loose)) return readFileSync(loose, 'utf8').trim();
  const packed = join(gitDir, 'packed-refs');
  if (!existsSync(packed)) return undefined;
  for (const line of readFileSync(packed, 'utf8').split('\n')) {
    const [sha, name] = line.split(' ');
    if (name === ref && sha !== undefined) return sha;
  }
  return undefined;
}

function readConfig(gitDir: string): string {
  const f = join(gitDir, 'config');
  return existsSync(f) ? readFileSync(f, 'utf8') : '';
}
