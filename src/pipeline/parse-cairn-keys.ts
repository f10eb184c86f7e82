import type { Node, Pair } from 'yaml';
import { isMap, isSeq } from 'yaml';
import { validateExpressions } from './expressions.js';
import type { IssueList } from './issues.js';
import type { JobSpec, RetryPolicy, SandboxKind } from './types.js';
import { entries, items, locOf, scalarText, type YamlSource } from './yaml-source.js';

/** cairn's own job keys (SPEC.md "Pipeline format"), invisible to GitHub's schema. */
export const cairnJobKeys: readonly string[] = ['labels', 'retry', 'artifacts', 'sandbox', 'image'];

/** More retries than this would hide a broken job rather than survive a lost node. */
export const retryMaxLimit = 10;

const sandboxKinds: readonly SandboxKind[] = ['none', 'bwrap', 'container'];
const retryReasons: ReadonlyArray<RetryPolicy['on'][number]> = ['node-lost', 'failure'];

/** A label term: `tag`, `!tag`, `key=value`, `key!=value` (SPEC.md "Labels and placement"). */
export const labelTermPattern = /^(!?[A-Za-z0-9_.\/-]+|[A-Za-z0-9_.\/-]+!?=[A-Za-z0-9_.\/:-]*)$/;

/** The pairs of every job mapping that hold cairn keys, so GitHub's validator can skip them. */
export function cairnPairs(src: YamlSource, jobsNode: Node | null): Set<Pair> {
  const out = new Set<Pair>();
  for (const job of entries(src, jobsNode)) {
    for (const e of entries(src, job.value)) if (cairnJobKeys.includes(e.key)) out.add(e.pair);
  }
  return out;
}

/** Reads and checks cairn's keys of one job into `job`. */
export function parseCairnKeys(src: YamlSource, node: Node | null, job: JobSpec, issues: IssueList): void {
  let imageAt: ReturnType<typeof locOf> | undefined;
  for (const { key, keyNode, value } of entries(src, node)) {
    const at = locOf(src, value ?? keyNode);
    switch (key) {
      case 'labels':
        job.labels = termList(src, value, 'labels', issues);
        break;
      case 'artifacts':
        job.artifacts = termList(src, value, 'artifacts', issues);
        break;
      case 'sandbox': {
        const s = scalarText(src, value);
        if ((sandboxKinds as readonly string[]).includes(s)) job.sandbox = s as SandboxKind;
        else issues.add(at, `sandbox must be one of ${sandboxKinds.join(', ')}, not '${s}'`);
        break;
      }
      case 'image':
        if (isMap(value) || isSeq(value)) issues.add(at, 'image must be a string such as debian:stable');
        else {
          job.image = scalarText(src, value);
          // GitHub's schema never sees cairn's keys, so their expressions are checked here.
          for (const problem of validateExpressions(job.image)) issues.add(at, problem.message);
        }
        imageAt = at;
        break;
      case 'retry':
        job.retry = parseRetry(src, value, issues);
        break;
      default:
        break;
    }
  }
  if (job.sandbox === 'container' && job.image === undefined) {
    issues.add(job.loc, `job '${job.id}': sandbox: container needs an image:`);
  }
  if (job.image !== undefined && job.sandbox !== 'container' && imageAt !== undefined) {
    issues.add(imageAt, `job '${job.id}': image: is used only with sandbox: container`);
  }
}

function termList(src: YamlSource, node: Node | null, what: string, issues: IssueList): string[] {
  const list = isSeq(node) ? items(src, node) : node === null ? [] : [node];
  const out: string[] = [];
  for (const n of list) {
    const text = scalarText(src, n);
    if (isMap(n) || isSeq(n) || text === '') {
      issues.add(locOf(src, n), `each of ${what} must be a non-empty string`);
    } else if (what === 'labels' && !labelTermPattern.test(text)) {
      issues.add(locOf(src, n), `'${text}' is not a label term: use tag, !tag, key=value or key!=value`);
    } else {
      out.push(text);
    }
  }
  return out;
}

function parseRetry(src: YamlSource, node: Node | null, issues: IssueList): RetryPolicy {
  const policy: RetryPolicy = { max: 2, on: ['node-lost'] };
  if (!isMap(node)) {
    issues.add(locOf(src, node), 'retry must be a mapping: { max: N, on: [node-lost, failure] }');
    return policy;
  }
  for (const { key, keyNode, value } of entries(src, node)) {
    const at = locOf(src, value ?? keyNode);
    if (key === 'max') {
      const n = Number(scalarText(src, value));
      if (!Number.isInteger(n) || n < 0 || n > retryMaxLimit) issues.add(at, `retry max must be an integer from 0 to ${retryMaxLimit}`);
      else policy.max = n;
    } else if (key === 'on') {
      const reasons = isSeq(value) ? items(src, value).map((n) => scalarText(src, n)) : [scalarText(src, value)];
      const bad = reasons.filter((r) => !(retryReasons as readonly string[]).includes(r));
      if (bad.length > 0) issues.add(at, `retry on must list ${retryReasons.join(' and/or ')}, not '${bad.join(', ')}'`);
      else policy.on = reasons as RetryPolicy['on'];
    } else {
      issues.add(locOf(src, keyNode), `unknown key '${key}' in retry (expected max, on)`);
    }
  }
  return policy;
}
