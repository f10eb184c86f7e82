import { emptyJob } from './empty-job.js';
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { isTemplate } from './expression-scan.js';
import type { IssueList } from './issues.js';
import { parseStrategy } from './parse-matrix.js';
import { identifierPattern, isValidShell, parseStep, shellNames, stringMap } from './parse-step.js';
import { parseCairnKeys } from './parse-cairn-keys.js';
import type { JobSpec, RunDefaults } from './types.js';
import { child, entries, items, locOf, scalarText, type YamlSource } from './yaml-source.js';

/**
 * GitHub job keys cairn refuses rather than silently ignores, with what to do instead. Keys
 * with no meaning off GitHub (`permissions`, `concurrency`) are accepted and have no effect.
 */
const unsupportedJobKeys: Record<string, string> = {
  container: 'cairn runs jobs on the node itself; use sandbox: container with image:',
  services: 'service containers are not supported',
  environment: 'deployment environments are not supported',
  with: 'reusable workflows are not supported',
  secrets: 'reusable workflows are not supported (pass secrets with cairn run --secret)',
  snapshot: 'runner snapshots are not supported',
};

/** Reads one job. GitHub's schema has already checked keys and types; this adds cairn's rules. */
export function parseJob(src: YamlSource, id: string, keyNode: Node, node: Node | null, issues: IssueList): JobSpec {
  const job: JobSpec = emptyJob(id, locOf(src, keyNode));
  if (!identifierPattern.test(id)) {
    issues.add(locOf(src, keyNode), `job id '${id}' must start with a letter or '_' and contain only letters, digits, '-' and '_'`);
  }
  for (const { key, keyNode: kn, value } of entries(src, node)) {
    const text = scalarText(src, value);
    switch (key) {
      case 'name': job.name = text; break;
      case 'runs-on': job.runsOn = runsOn(src, value); break;
      case 'needs': job.needs = [...new Set(stringList(src, value))]; break;
      case 'if': job.if = text; break;
      case 'strategy': {
        const m = parseStrategy(src, value, id, issues);
        if (m !== undefined) job.matrix = m;
        break;
      }
      case 'env': job.env = stringMap(src, value); break;
      case 'defaults': job.defaults = parseDefaults(src, value, issues); break;
      case 'timeout-minutes':
        if (isTemplate(text)) job.timeoutMinutesExpr = text;
        else job.timeoutMinutes = Number(text);
        break;
      case 'continue-on-error':
        if (isTemplate(text)) job.continueOnErrorExpr = text;
        else job.continueOnError = text === 'true';
        break;
      case 'outputs': job.outputs = stringMap(src, value); break;
      case 'steps': {
        const ids = new Set<string>();
        job.steps = items(src, value).map((s, i) => parseStep(src, s, i, issues, ids));
        break;
      }
      case 'uses':
        issues.add(locOf(src, value), `job '${id}' uses '${text}': reusable workflows are not supported`, 'UNKNOWN_USES');
        break;
      default: {
        const why = unsupportedJobKeys[key];
        if (why !== undefined) issues.add(locOf(src, kn), `job '${id}': '${key}' is not supported: ${why}`);
        break;
      }
    }
  }
  parseCairnKeys(src, node, job, issues);
  if (job.steps.length === 0 && child(src, node, 'uses') === null) {
    issues.add(job.loc, `job '${id}' has no steps`);
  }
  return job;
}

/** `runs-on` as label terms: a string, a list, or a `{ group, labels }` mapping. */
function runsOn(src: YamlSource, node: Node | null): string[] {
  if (isMap(node)) return stringList(src, child(src, node, 'labels'));
  return stringList(src, node);
}

/** A scalar or a list of scalars, as strings. */
export function stringList(src: YamlSource, node: Node | null): string[] {
  if (node === null) return [];
  if (isSeq(node)) return items(src, node).map((n) => scalarText(src, n));
  if (isScalar(node)) return [scalarText(src, node)];
  return [];
}

/** `defaults: { run: { shell, working-directory } }`, at the workflow or the job level. */
export function parseDefaults(src: YamlSource, node: Node | null, issues: IssueList): RunDefaults {
  const out: RunDefaults = {};
  for (const { key, value } of entries(src, child(src, node, 'run'))) {
    const text = scalarText(src, value);
    if (key === 'shell') {
      if (!isValidShell(text)) {
        issues.add(locOf(src, value), `unknown shell '${text}': use ${shellNames.join(', ')}, or a command template containing {0}`);
      }
      out.shell = text;
    } else if (key === 'working-directory') {
      out.workingDirectory = text;
    }
  }
  return out;
}
