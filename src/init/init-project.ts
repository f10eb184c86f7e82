import { randomBytes } from 'node:crypto';
import { lstat, link, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parsePipeline } from '../pipeline/index.js';
import { CairnError } from '../util/errors.js';
import { manifestOf, pipelineFileName, templateKinds } from './constants.js';
import { detectProjects } from './detect-projects.js';
import { loadTemplates } from './load-templates.js';
import { renderPipeline } from './render-pipeline.js';
import type { DetectedProject, InitJob, TemplateKind, TemplateSet } from './types.js';

export interface InitOptions {
  /** Use this template only: the detected projects of its kind, or the root if there are none. */
  template?: TemplateKind;
  /** Replace an existing cairn.yml. */
  force?: boolean;
  /** Template texts; by default cairn's own templates/. */
  templates?: TemplateSet;
}

export interface InitResult {
  /** Absolute path of the file written. */
  file: string;
  /** Whether a cairn.yml was there before (only with `force`). */
  overwritten: boolean;
  jobs: InitJob[];
  warnings: string[];
  /** The text written. */
  text: string;
}

/**
 * `cairn init`: detects the npm, maven and cargo projects in `dir` and writes `dir/cairn.yml`
 * with one job per project. It writes that one file and nothing else: user configuration
 * (.npmrc, settings.xml, .cargo/config.toml, ~/.m2) is never read for writing or touched.
 */
export async function initProject(dir: string, options: InitOptions = {}): Promise<InitResult> {
  const root = resolve(dir);
  await requireDirectory(dir, root);
  const file = join(root, pipelineFileName);
  const existed = await exists(file);
  if (existed && options.force !== true) {
    throw new CairnError('CONFLICT', `${file} already exists; pass --force to replace it`, { file });
  }

  const detection = await detectProjects(root);
  const projects = chooseProjects(detection.projects, options.template);
  if (projects.length === 0) {
    const manifests = templateKinds.map((k) => manifestOf[k]).join(', ');
    throw new CairnError(
      'NOT_FOUND',
      `found no ${manifests} in ${root} or below; pass --template npm|maven|cargo to write a pipeline anyway`,
      { dir: root, warnings: detection.warnings },
    );
  }

  const templates = options.templates ?? (await loadTemplates());
  const { text, jobs } = renderPipeline(projects, templates, basename(root) || 'pipeline');
  // Never leave behind a file that `cairn run` would refuse: the templates are checked here.
  parsePipeline(text, file);
  await writeNewFile(file, text, options.force === true);
  return { file, overwritten: existed, jobs, warnings: detection.warnings, text };
}

function chooseProjects(detected: DetectedProject[], template: TemplateKind | undefined): DetectedProject[] {
  if (template === undefined) return detected;
  const ofKind = detected.filter((p) => p.kind === template);
  return ofKind.length > 0 ? ofKind : [{ kind: template, dir: '.' }];
}

async function requireDirectory(given: string, root: string): Promise<void> {
  try {
    if ((await stat(root)).isDirectory()) return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CairnError('NOT_FOUND', `no such directory: ${given}`, { dir: root });
    throw new CairnError('INVALID_INPUT', `cannot read ${given}: ${code ?? String(err)}`, { dir: root }, { cause: err });
  }
  throw new CairnError('INVALID_INPUT', `${given} is not a directory`, { dir: root });
}

async function exists(file: string): Promise<boolean> {
  try {
    // lstat: a symbolic link named cairn.yml counts as existing, even if it dangles.
    await lstat(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/**
 * Writes through a temporary file in the same folder, so a reader never sees half a pipeline.
 * Without `replace`, link() puts it in place only if no cairn.yml appeared meanwhile; with
 * `replace`, rename() swaps the name itself, never writing through a symbolic link.
 */
async function writeNewFile(file: string, text: string, replace: boolean): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, text, { flag: 'wx', mode: 0o644 });
    if (replace) {
      await rename(tmp, file);
      return;
    }
    try {
      await link(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new CairnError('CONFLICT', `${file} already exists; pass --force to replace it`, { file });
      }
      throw err;
    }
  } catch (err) {
    if (err instanceof CairnError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new CairnError('INVALID_INPUT', `cannot write ${file}: ${code ?? String(err)}`, { file }, { cause: err });
  } finally {
    await rm(tmp, { force: true });
  }
}
