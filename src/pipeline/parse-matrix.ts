import { isMap, isSeq, type Node } from 'yaml';
import { isTemplate } from './expression-scan.js';
import { expandMatrix } from './expand-matrix.js';
import type { IssueList } from './issues.js';
import { matrixCombinationsMax } from './limits.js';
import type { JsonValue, MatrixSpec } from './types.js';
import { deref, entries, items, locOf, scalarText, toJson, type YamlSource } from './yaml-source.js';

/**
 * Reads `strategy:` (its `matrix`, `fail-fast`, `max-parallel`). The matrix must be literal:
 * cairn plans the whole DAG before anything runs, so a matrix computed from another job's
 * outputs cannot be expanded and is refused with its location.
 */
export function parseStrategy(src: YamlSource, node: Node | null, jobId: string, issues: IssueList): MatrixSpec | undefined {
  const strategy = deref(src, node);
  if (strategy === null) return undefined;
  const spec: MatrixSpec = { axes: {}, include: [], exclude: [], failFast: true };
  let matrixNode: Node | null = null;
  for (const { key, value } of entries(src, strategy)) {
    if (key === 'matrix') matrixNode = value;
    else if (key === 'fail-fast') spec.failFast = scalarText(src, value) !== 'false';
    else if (key === 'max-parallel') {
      const n = Number(scalarText(src, value));
      if (!Number.isInteger(n) || n < 1) issues.add(locOf(src, value), `max-parallel must be a positive integer, not '${scalarText(src, value)}'`);
      else spec.maxParallel = n;
    }
  }
  if (matrixNode === null) return spec;
  const at = locOf(src, matrixNode);
  if (!isMap(matrixNode)) {
    issues.add(at, `job '${jobId}': the matrix must be a mapping of axes written in the file (a matrix from an expression is not supported)`);
    return spec;
  }
  const before = issues.items.length;
  for (const { key, value } of entries(src, matrixNode)) {
    const vat = locOf(src, value);
    if (key === 'include' || key === 'exclude') {
      if (!isSeq(value)) {
        issues.add(vat, `matrix ${key} must be a list of mappings`);
        continue;
      }
      for (const item of items(src, value)) {
        const json = toJson(src, item);
        if (json === null || typeof json !== 'object' || Array.isArray(json)) {
          issues.add(locOf(src, item), `each matrix ${key} entry must be a mapping`);
          continue;
        }
        spec[key].push(json);
      }
    } else if (isSeq(value)) {
      spec.axes[key] = toJson(src, value) as JsonValue[];
    } else {
      const text = scalarText(src, value);
      issues.add(vat, isTemplate(text)
        ? `matrix axis '${key}' comes from an expression, which cairn cannot expand before running`
        : `matrix axis '${key}' must be a list of values`);
    }
  }
  spec.loc = at;
  // Expanding a matrix whose parts were refused would only add confusing follow-on errors.
  if (issues.items.length === before) checkMatrix(src, matrixNode, spec, jobId, issues);
  return spec;
}

function checkMatrix(src: YamlSource, matrixNode: Node, spec: MatrixSpec, jobId: string, issues: IssueList): void {
  const at = locOf(src, matrixNode);
  const axisNames = Object.keys(spec.axes);
  const excludeNode = entries(src, matrixNode).find((e) => e.key === 'exclude')?.value ?? null;
  items(src, excludeNode).forEach((item, i) => {
    const entry = spec.exclude[i];
    if (entry === undefined) return;
    for (const k of Object.keys(entry)) {
      if (!axisNames.includes(k)) {
        issues.add(locOf(src, item), `matrix exclude key '${k}' is not a matrix axis (axes: ${axisNames.join(', ') || 'none'})`);
      }
    }
  });
  if (axisNames.length === 0 && spec.include.length === 0) {
    issues.add(at, `job '${jobId}': the matrix has no axes and no include entries`);
    return;
  }
  const combos = expandMatrix(spec, matrixCombinationsMax);
  if (combos.length > matrixCombinationsMax) {
    issues.add(at, `job '${jobId}': the matrix expands to more than ${matrixCombinationsMax} combinations`);
  } else if (combos.length === 0) {
    issues.add(at, `job '${jobId}': the matrix is empty (every combination is excluded or an axis has no values)`);
  }
}
