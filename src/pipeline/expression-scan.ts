/** Splitting a template string into literal text and `${{ }}` expressions, as GitHub does. */

const open = '${{';
const close = '}}';

/** A piece of a template: literal text, or an expression (without its `${{ }}`). */
export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'expr'; expr: string; offset: number };

/** Whether a string holds at least one `${{`. */
export function isTemplate(s: string): boolean {
  return s.includes(open);
}

/**
 * Splits `s` into parts. `}}` inside a quoted string literal does not close an expression,
 * matching GitHub's reader. An unclosed `${{` yields `error` with its offset.
 */
export function scanTemplate(s: string): { parts: TemplatePart[]; error?: { offset: number; message: string } } {
  const parts: TemplatePart[] = [];
  let pos = 0;
  while (pos < s.length) {
    const start = s.indexOf(open, pos);
    if (start < 0) break;
    if (start > pos) parts.push({ kind: 'text', text: s.slice(pos, start) });
    const end = findClose(s, start + open.length);
    if (end < 0) {
      return { parts, error: { offset: start, message: `the expression is not closed: '${s.slice(start)}' has no matching '}}'` } };
    }
    parts.push({ kind: 'expr', expr: s.slice(start + open.length, end).trim(), offset: start });
    pos = end + close.length;
  }
  if (pos < s.length) parts.push({ kind: 'text', text: s.slice(pos) });
  return { parts };
}

function findClose(s: string, from: number): number {
  let inString = false;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (c === "'") {
      // '' inside a string is an escaped quote; toggling twice keeps us inside.
      inString = !inString;
    } else if (!inString && c === '}' && s[i + 1] === '}') {
      return i;
    }
  }
  return -1;
}

/**
 * If the whole string is one `${{ expr }}`, its inner expression; otherwise `undefined`.
 * `if:` conditions are written either way.
 */
export function soleExpression(s: string): string | undefined {
  const t = s.trim();
  if (!t.startsWith(open)) return undefined;
  const { parts, error } = scanTemplate(t);
  if (error || parts.length !== 1 || parts[0]?.kind !== 'expr') return undefined;
  return parts[0].expr;
}
