import { isMap, isSeq, type Node } from 'yaml';
import { validateWithGitHub } from './github-schema.js';
import { IssueList } from './issues.js';
import { jobsMax, pipelineBytesMax } from './limits.js';
import { cairnPairs } from './parse-cairn-keys.js';
import { parseDefaults, parseJob } from './parse-job.js';
import { stringMap } from './parse-step.js';
import { parseTriggers } from './parse-triggers.js';
import type { JobSpec, Pipeline } from './types.js';
import { child, entries, items, locOf, parseYaml, scalarText, type YamlSource } from './yaml-source.js';

/**
 * Parses a GitHub Actions workflow plus cairn's job keys. Keys with no meaning off GitHub
 * (`permissions`, `concurrency`, `run-name`, events other than push, workflow_dispatch and
 * schedule) are accepted and have no effect; keys whose effect cairn cannot give are refused. Everything wrong with the file is
 * reported at once, before anything runs, as `PIPELINE_INVALID` (or `UNKNOWN_USES` when that
 * is the only kind of problem) with `file:line:col` and the full list in `data.errors`.
 */
export function parsePipeline(text: string, file: string): Pipeline {
  const issues = new IssueList(file);
  if (text.length > pipelineBytesMax) {
    issues.add({ line: 1, column: 1 }, `the pipeline file is larger than ${pipelineBytesMax} bytes`);
    issues.throwIfAny();
  }
  const src = parseYaml(text, file, issues);
  issues.throwIfAny();
  if (src === undefined) throw new Error('cairn invariant violated: parseYaml returned nothing without an issue');
  const root = src.doc.contents as Node | null;
  if (!isMap(root) || child(src, root, 'jobs') === null) {
    issues.add(locOf(src, root), 'a pipeline must be a mapping with a jobs: section');
    issues.throwIfAny();
  }
  const jobsNode = child(src, root, 'jobs');
  const pipeline: Pipeline = {
    name: scalarText(src, child(src, root, 'name')) || defaultName(file),
    file,
    kind: 'workflow',
    on: parseTriggers(src, child(src, root, 'on')),
    env: stringMap(src, child(src, root, 'env')),
    defaults: parseDefaults(src, child(src, root, 'defaults'), issues),
    jobs: [],
  };
  if (entries(src, jobsNode).length === 0 && !isSeq(jobsNode)) {
    issues.add(locOf(src, jobsNode), 'jobs: is empty: a pipeline needs at least one job');
  }
  for (const { key, keyNode, value } of entries(src, jobsNode)) {
    if (pipeline.jobs.length >= jobsMax) {
      issues.add(locOf(src, keyNode), `a pipeline may have at most ${jobsMax} jobs`);
      break;
    }
    pipeline.jobs.push(parseJob(src, key, keyNode, value, issues));
  }
  checkNeeds(src, jobsNode, pipeline.jobs, issues);
  // After our own checks, so that where both see a problem our more specific message stands.
  validateWithGitHub(src, 'workflow', cairnPairs(src, jobsNode), issues);
  issues.throwIfAny();
  return pipeline;
}

/** Every `needs:` must name a job of this pipeline; the error names the missing one. */
function checkNeeds(src: YamlSource, jobsNode: Node | null, jobs: JobSpec[], issues: IssueList): void {
  const ids = new Set(jobs.map((j) => j.id));
  for (const { key, value } of entries(src, jobsNode)) {
    const needsNode = child(src, value, 'needs');
    const nodes = needsNode === null ? [] : isSeq(needsNode) ? items(src, needsNode) : [needsNode];
    for (const n of nodes) {
      const need = scalarText(src, n);
      if (need === key) issues.add(locOf(src, n), `job '${key}' needs itself`);
      else if (!ids.has(need)) {
        issues.add(locOf(src, n), `job '${key}' needs '${need}', which is not a job in this pipeline (jobs: ${[...ids].join(', ')})`);
      }
    }
  }
}

/** A pipeline's default name: its file's base name without the extension (`ci` for `.github/workflows/ci.yml`). */
export function defaultName(file: string): string {
  const base = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base || 'pipeline';
}
