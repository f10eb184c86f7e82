import { readTemplate } from '@actions/workflow-parser/templates/template-reader';
import { TemplateContext, TemplateValidationErrors } from '@actions/workflow-parser/templates/template-context';
import { TemplateSchema } from '@actions/workflow-parser/templates/schema/index';
import {
  BooleanToken,
  MappingToken,
  NullToken,
  NumberToken,
  SequenceToken,
  StringToken,
  type TemplateToken,
} from '@actions/workflow-parser/templates/tokens/index';
import { NoOperationTraceWriter } from '@actions/workflow-parser/templates/trace-writer';
import { isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';
// GitHub's package imports these JSON files without import attributes, which Node refuses; we
// import them ourselves, with attributes, and build the schemas from them. The relative path is
// the one stable way in: the package's `exports` map hides its JSON files.
import workflowSchemaJson from '../../node_modules/@actions/workflow-parser/dist/workflow-v1.0.min.json' with { type: 'json' };
import actionSchemaJson from '../../node_modules/@actions/workflow-parser/dist/action-v1.0.min.json' with { type: 'json' };
import { FilteredYamlReader } from './github-reader.js';
import type { IssueList } from './issues.js';
import { knownKeys, suggestKey } from './suggest.js';
import type { YamlSource } from './yaml-source.js';

/** Root types of GitHub's schemas (from workflow-constants / action-constants). */
const workflowRoot = 'workflow-root-strict';
const actionRoot = 'action-root-strict';

/** GitHub caps its own error list; we keep ours bounded by IssueList as well. */
const githubErrorsMax = 50;

/**
 * GitHub requirements that cairn relaxes: a local pipeline needs no trigger, and a job needs no
 * `runs-on` (it runs on this machine, or on any node when it has no `labels:` either).
 */
const relaxedMessages = [/^Required property is missing: on$/, /^Required property is missing: runs-on$/];

let workflowSchema: TemplateSchema | undefined;
let actionSchema: TemplateSchema | undefined;

/**
 * Builds a schema straight from GitHub's JSON. `TemplateSchema.load` would first validate the
 * schema file against a schema of schemas, which costs ~35 ms of every `cairn run`'s start-up
 * for a file GitHub ships already validated; this takes ~9 ms. A test checks both agree.
 */
export function loadSchema(json: unknown): TemplateSchema {
  return new TemplateSchema(toToken(json) as MappingToken);
}

function toToken(v: unknown): TemplateToken {
  if (v === null || v === undefined) return new NullToken(undefined, undefined, undefined);
  if (typeof v === 'string') return new StringToken(undefined, undefined, v, undefined);
  if (typeof v === 'number') return new NumberToken(undefined, undefined, v, undefined);
  if (typeof v === 'boolean') return new BooleanToken(undefined, undefined, v, undefined);
  if (Array.isArray(v)) {
    const seq = new SequenceToken(undefined, undefined, undefined);
    for (const x of v) seq.add(toToken(x));
    return seq;
  }
  const map = new MappingToken(undefined, undefined, undefined);
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) map.add(new StringToken(undefined, undefined, k, undefined), toToken(x));
  return map;
}

/** GitHub's schema JSON, for the test that checks `loadSchema` against `TemplateSchema.load`. */
export const schemaJson = { workflow: workflowSchemaJson as unknown, action: actionSchemaJson as unknown };

/**
 * Validates a document against GitHub's own schema (keys, types, expression syntax and the
 * contexts allowed at each place), reporting each error at its line and column.
 */
export function validateWithGitHub(src: YamlSource, kind: 'workflow' | 'action', skip: ReadonlySet<Pair>, issues: IssueList): void {
  const schema = kind === 'workflow'
    ? (workflowSchema ??= loadSchema(workflowSchemaJson))
    : (actionSchema ??= loadSchema(actionSchemaJson));
  const context = new TemplateContext(new TemplateValidationErrors(githubErrorsMax), schema, new NoOperationTraceWriter());
  const fileId = context.getFileId(src.file);
  const reader = new FilteredYamlReader(src, fileId, skip);
  readTemplate(context, kind === 'workflow' ? workflowRoot : actionRoot, reader, fileId);
  const keys = keyPositions(src);
  for (const err of context.errors.getErrors()) {
    if (relaxedMessages.some((re) => re.test(err.rawMessage))) continue;
    const at = err.range?.start ?? { line: 1, column: 1 };
    issues.add(at, clarify(err.rawMessage, keys.get(`${at.line}:${at.column}`)));
  }
}

/**
 * GitHub says "Unexpected value 'run-on'" for a misspelt key as for a bad value; when the
 * position is a mapping key, say so and suggest the key that was probably meant.
 */
function clarify(message: string, key: string | undefined): string {
  const m = /^Unexpected value '(.*)'$/.exec(message);
  if (m === null || key === undefined || m[1] !== key) return message;
  if (knownKeys.includes(key)) return `'${key}' is not allowed here`;
  const hint = suggestKey(key);
  return hint !== undefined && hint !== key ? `unknown key '${key}' (did you mean '${hint}'?)` : `unknown key '${key}'`;
}

/** Positions (`line:col`) of every mapping key in the document. */
function keyPositions(src: YamlSource): Map<string, string> {
  const out = new Map<string, string>();
  visit(src.doc.contents as Node | null, (node) => {
    if (!isMap(node)) return;
    for (const pair of node.items) {
      const key = pair.key as Node | null;
      if (isScalar(key) && key.range) {
        const { line, col } = src.lines.linePos(key.range[0]);
        out.set(`${line}:${col}`, String(key.value));
      }
    }
  });
  return out;
}

function visit(node: Node | null, fn: (n: Node) => void): void {
  if (node === null) return;
  fn(node);
  if (isMap(node)) for (const p of node.items) visit(p.value as Node | null, fn);
  else if (isSeq(node)) for (const i of node.items) visit(i as Node | null, fn);
}
