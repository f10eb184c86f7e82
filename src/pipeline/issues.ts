import { CairnError, type ErrorCode } from '../util/errors.js';
import { issuesMax } from './limits.js';
import type { PipelineIssue, SourceLocation } from './types.js';

/**
 * Collects every problem found in one file, so the user fixes them all in one pass rather than
 * one per run, then throws them as a single `PIPELINE_INVALID` (or more specific) error.
 */
export class IssueList {
  readonly file: string;
  readonly items: PipelineIssue[] = [];

  constructor(file: string) {
    this.file = file;
  }

  add(loc: { line: number; column: number }, message: string, code?: ErrorCode): void {
    if (this.items.length >= issuesMax) return;
    // Two checks can trip over the same node (ours and GitHub's schema); the first one wins.
    if (this.items.some((i) => i.line === loc.line && i.column === loc.column)) return;
    const issue: PipelineIssue = { file: this.file, line: loc.line, column: loc.column, message };
    if (code !== undefined) issue.code = code;
    this.items.push(issue);
  }

  get empty(): boolean {
    return this.items.length === 0;
  }

  /** Throws the collected issues, sorted by position, if there are any. */
  throwIfAny(): void {
    if (this.items.length === 0) return;
    throw issuesError(this.file, this.items);
  }
}

/** Builds the error for a non-empty list of issues: one `file:line:col: message` line each. */
export function issuesError(file: string, issues: PipelineIssue[]): CairnError {
  const sorted = [...issues].sort((a, b) => a.line - b.line || a.column - b.column);
  const first = sorted[0];
  if (first === undefined) throw new Error('cairn invariant violated: issuesError needs an issue');
  // A more specific code wins only when every issue shares it, so callers can rely on `code`.
  const code: ErrorCode = sorted.every((i) => i.code === first.code) && first.code !== undefined
    ? (first.code as ErrorCode)
    : 'PIPELINE_INVALID';
  // One line per issue: the first line is the first problem in the file, the rest follow.
  return new CairnError(code, sorted.map(formatIssue).join('\n'), {
    file,
    line: first.line,
    column: first.column,
    errors: sorted,
  });
}

/** `file:line:col: message`, the form editors and terminals turn into links. */
export function formatIssue(issue: PipelineIssue): string {
  return `${issue.file}:${issue.line}:${issue.column}: ${issue.message}`;
}

/** A location at the very start of a file, for problems that belong to no node. */
export function fileStart(file: string): SourceLocation {
  return { file, line: 1, column: 1 };
}
