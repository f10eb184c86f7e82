import { Document, isMap, isSeq, parse, type Node } from 'yaml';
import { templateKinds } from './constants.js';
import { jobIds } from './job-ids.js';
import type { DetectedProject, InitJob, TemplateKind, TemplateSet } from './types.js';

/** npm commands that also cover the members of an npm workspace root, keyed by step id. */
const npmWorkspaceRuns: Record<string, string> = {
  build: 'npm run build --workspaces --include-workspace-root --if-present',
  test: 'npm test --workspaces --include-workspace-root --if-present',
};

/**
 * The pipeline text for `projects`: each template's job, once per project, with its steps run
 * in the project's folder (`defaults.run.working-directory`). Pure: templates come in as text.
 */
export function renderPipeline(
  projects: readonly DetectedProject[],
  templates: TemplateSet,
  pipelineName: string,
): { text: string; jobs: InitJob[] } {
  const ids = jobIds(projects);
  const jobs: InitJob[] = [];
  const jobsOut: Record<string, unknown> = {};
  let on: unknown = ['push', 'workflow_dispatch'];
  projects.forEach((p, i) => {
    const id = ids[i] as string;
    const template = templateJob(p.kind, templates[p.kind]);
    if (i === 0 && template.on !== undefined) on = template.on;
    const name = p.dir === '.' ? p.kind : `${p.kind} (${p.dir})`;
    jobsOut[id] = projectJob(template.job, name, p);
    jobs.push({ id, name, template: p.kind, workingDirectory: p.dir });
  });

  const doc = new Document({ name: pipelineName, on, jobs: jobsOut });
  flowShortLists(doc.contents as Node);
  const kinds = templateKinds.filter((k) => projects.some((p) => p.kind === k));
  doc.commentBefore = [
    ` Written by \`cairn init\` from cairn's ${kinds.join(', ')} template${kinds.length > 1 ? 's' : ''}: one job per project.`,
    ' Run it here with `cairn run`; submit it to a cluster with `cairn submit`.',
    ' Every job runs on any cairn node (runs-on: [self-hosted, linux]). To keep a job on nodes',
    ' with the right tools, label those nodes (`cairn node start --labels cargo`) and add',
    ' `labels: [cargo]` to the job.',
  ].join('\n');
  return { text: doc.toString({ lineWidth: 0, flowCollectionPadding: false }), jobs };
}

/** The single job of a template, and its `on:`. */
function templateJob(kind: TemplateKind, text: string): { job: Record<string, unknown>; on: unknown } {
  const parsed = parse(text) as { on?: unknown; jobs?: Record<string, unknown> } | null;
  const jobs = parsed?.jobs;
  const job = jobs === undefined ? undefined : Object.values(jobs)[0];
  if (job === null || typeof job !== 'object' || Array.isArray(job)) {
    throw new Error(`cairn invariant violated: the ${kind} template has no job`);
  }
  return { job: job as Record<string, unknown>, on: parsed?.on };
}

/** A copy of the template's job for one project, keys in reading order. */
function projectJob(job: Record<string, unknown>, name: string, p: DetectedProject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(structuredClone(job))) {
    if (key === 'steps') {
      if (p.dir !== '.') out['defaults'] = { run: { 'working-directory': p.dir } };
      out['steps'] = p.npmWorkspaces === true ? withWorkspaceRuns(value) : value;
    } else {
      out[key] = key === 'name' ? name : value;
    }
  }
  return out;
}

/** npm steps that run across all workspaces, so the members the root covers are built and tested. */
function withWorkspaceRuns(steps: unknown): unknown {
  if (!Array.isArray(steps)) return steps;
  return steps.map((s: unknown) => {
    if (s === null || typeof s !== 'object') return s;
    const step = s as Record<string, unknown>;
    const run = typeof step['id'] === 'string' ? npmWorkspaceRuns[step['id']] : undefined;
    return run === undefined ? step : { ...step, run };
  });
}

/** Lists of plain scalars (`on`, `runs-on`) read best on one line. */
function flowShortLists(node: Node | null): void {
  if (isMap(node)) {
    for (const pair of node.items) flowShortLists(pair.value as Node | null);
  } else if (isSeq(node)) {
    if (node.items.every((item) => !isMap(item) && !isSeq(item))) node.flow = true;
    else for (const item of node.items) flowShortLists(item as Node | null);
  }
}
