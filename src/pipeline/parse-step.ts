import type { Node } from 'yaml';
import type { IssueList } from './issues.js';
import type { StepSpec } from './types.js';
import { entries, locOf, scalarText, type YamlSource } from './yaml-source.js';
import { isTemplate } from './expression-scan.js';
import { stepDisplayName } from './step-display-name.js';

/** Shells cairn runs by name; anything else must be a command template holding `{0}`. */
export const shellNames: readonly string[] = ['bash', 'sh', 'python', 'ruby', 'node', 'pwsh'];

/** GitHub's rule for job and step ids. */
export const identifierPattern = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Whether a `shell:` value is one cairn can run: a known name, a `{0}` template, or an expression. */
export function isValidShell(shell: string): boolean {
  return shellNames.includes(shell) || shell.includes('{0}') || isTemplate(shell);
}

/**
 * Whether a `uses:` value names an action cairn can run: the built-in `actions/checkout@<ref>`
 * or a local composite action `./path`. Everything else would need a marketplace download.
 */
export function isSupportedUses(uses: string): boolean {
  return /^actions\/checkout@[^\s@]+$/.test(uses) || uses.startsWith('./');
}

/** Reads one step. Unknown keys and types are GitHub's schema's job; this checks what cairn adds. */
export function parseStep(src: YamlSource, node: Node, index: number, issues: IssueList, usedIds: Set<string>): StepSpec {
  const step: StepSpec = {
    index,
    name: '',
    with: {},
    env: {},
    continueOnError: false,
    loc: locOf(src, node),
  };
  for (const { key, keyNode, value } of entries(src, node)) {
    const text = scalarText(src, value);
    const at = locOf(src, value ?? keyNode);
    switch (key) {
      case 'id':
        if (!identifierPattern.test(text)) {
          issues.add(at, `step id '${text}' must start with a letter or '_' and contain only letters, digits, '-' and '_'`);
        } else if (text.startsWith('__')) {
          issues.add(at, `step id '${text}' starts with '__', which GitHub reserves for its own steps`);
        } else if (usedIds.has(text)) {
          issues.add(at, `step id '${text}' is used more than once in this job`);
        }
        usedIds.add(text);
        step.id = text;
        break;
      case 'name': step.name = text; break;
      case 'run': step.run = text; break;
      case 'shell':
        if (!isValidShell(text)) {
          issues.add(at, `unknown shell '${text}': use ${shellNames.join(', ')}, or a command template containing {0}`);
        }
        step.shell = text;
        break;
      case 'working-directory': step.workingDirectory = text; break;
      case 'uses':
        if (/^actions\/checkout$/.test(text)) {
          issues.add(at, `actions/checkout needs a version, as on GitHub: actions/checkout@v4`, 'UNKNOWN_USES');
        } else if (!isSupportedUses(text)) {
          issues.add(at, `unsupported action '${text}': cairn runs actions/checkout@<ref> and local composite actions (uses: ./path)`, 'UNKNOWN_USES');
        }
        step.uses = text;
        break;
      case 'with': step.with = stringMap(src, value); break;
      case 'env': step.env = stringMap(src, value); break;
      case 'if': step.if = text; break;
      case 'continue-on-error':
        step.continueOnError = typeof (value as { value?: unknown } | null)?.value === 'boolean' ? text === 'true' : text;
        break;
      case 'timeout-minutes':
        if (isTemplate(text)) step.timeoutMinutesExpr = text;
        else step.timeoutMinutes = Number(text);
        break;
      default:
        break; // GitHub's schema already reported it.
    }
  }
  if (step.name === '') step.name = stepDisplayName(step);
  return step;
}

/** A mapping of scalars as strings (`env:`, `with:`, `outputs:`). */
export function stringMap(src: YamlSource, node: Node | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries(src, node)) out[e.key] = scalarText(src, e.value);
  return out;
}
