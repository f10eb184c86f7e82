import { readTemplate } from '@actions/workflow-parser/templates/template-reader';
import { TemplateContext, TemplateValidationErrors } from '@actions/workflow-parser/templates/template-context';
import { TemplateSchema } from '@actions/workflow-parser/templates/schema/index';
import { JSONObjectReader } from '@actions/workflow-parser/templates/json-object-reader';
import { NoOperationTraceWriter } from '@actions/workflow-parser/templates/trace-writer';
import type { Pair } from 'yaml';
// GitHub's package imports these JSON files without import attributes, which Node refuses; we
// import them ourselves, with attributes, and build the schemas from them. The relative path is
// the one stable way in: the package's `exports` map hides its JSON files.
import workflowSchemaJson from '../../node_modules/@actions/workflow-parser/dist/workflow-v1.0.min.json' with { type: 'json' };
import actionSchemaJson from '../../node_modules/@actions/workflow-parser/dist/action-v1.0.min.json' with { type: 'json' };
import { FilteredYamlReader } from './github-reader.js';
import type { IssueList } from './issues.js';
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

function loadSchema(json: unknown): TemplateSchema {
  return TemplateSchema.load(new JSONObjectReader(undefined, JSON.stringify(json)));
}

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
  for (const err of context.errors.getErrors()) {
    if (relaxedMessages.some((re) => re.test(err.rawMessage))) continue;
    issues.add(err.range?.start ?? { line: 1, column: 1 }, err.rawMessage);
  }
}
