import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair } from 'yaml';
import type { IssueList } from './issues.js';
import type { JsonValue, SourceLocation } from './types.js';

/** A parsed YAML file that remembers where each node came from. */
export interface YamlSource {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

/** One `key: value` of a mapping, with the key's position. */
export interface YamlEntry {
  key: string;
  keyNode: Node;
  value: Node | null;
  pair: Pair;
}

/** Aliases expand at most this many times, so a "billion laughs" file cannot blow up memory. */
const aliasExpansionsMax = 1000;

/** Parses YAML keeping positions; syntax errors go to `issues` and yield `undefined`. */
export function parseYaml(text: string, file: string, issues: IssueList): YamlSource | undefined {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, keepSourceTokens: true, uniqueKeys: false });
  for (const err of doc.errors) {
    const [line, column] = err.linePos?.[0] ? [err.linePos[0].line, err.linePos[0].col] : [1, 1];
    // The library's message repeats the source line under a caret; the first line says it all.
    issues.add({ line, column }, `invalid YAML: ${firstLine(err.message)}`);
  }
  return doc.errors.length > 0 ? undefined : { file, doc, lines };
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return (i < 0 ? s : s.slice(0, i)).replace(/ at line \d+, column \d+:?$/, '');
}

/** 1-based position of a node (or the file start when it has none). */
export function locOf(src: YamlSource, node: Node | null | undefined): SourceLocation {
  const offset = node?.range?.[0];
  if (offset === undefined) return { file: src.file, line: 1, column: 1 };
  const { line, col } = src.lines.linePos(offset);
  return { file: src.file, line, column: col };
}

/** Follows an alias to the node it names. */
export function deref(src: YamlSource, node: Node | null | undefined): Node | null {
  if (node == null) return null;
  if (isAlias(node)) return (node.resolve(src.doc) as Node | undefined) ?? null;
  return node;
}

/** The entries of a mapping node in file order (empty for anything else). */
export function entries(src: YamlSource, node: Node | null | undefined): YamlEntry[] {
  const n = deref(src, node);
  if (!isMap(n)) return [];
  const out: YamlEntry[] = [];
  for (const pair of n.items) {
    const keyNode = deref(src, pair.key as Node | null);
    if (!isScalar(keyNode)) continue;
    out.push({ key: String(keyNode.value), keyNode, value: deref(src, pair.value as Node | null), pair });
  }
  return out;
}

/** The value of `key` in a mapping node. */
export function child(src: YamlSource, node: Node | null | undefined, key: string): Node | null {
  return entries(src, node).find((e) => e.key === key)?.value ?? null;
}

/** The items of a sequence node (empty for anything else). */
export function items(src: YamlSource, node: Node | null | undefined): Node[] {
  const n = deref(src, node);
  if (!isSeq(n)) return [];
  return n.items.map((i) => deref(src, i as Node)).filter((i): i is Node => i !== null);
}

/** A node as plain JSON (mapping keys become strings). */
export function toJson(src: YamlSource, node: Node | null | undefined): JsonValue {
  const n = deref(src, node);
  if (n === null) return null;
  return normalise(n.toJS(src.doc, { maxAliasCount: aliasExpansionsMax }));
}

function normalise(v: unknown): JsonValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(normalise);
  if (v instanceof Map) {
    const o: Record<string, JsonValue> = {};
    for (const [k, x] of v) o[String(k)] = normalise(x);
    return o;
  }
  if (typeof v === 'object') {
    const o: Record<string, JsonValue> = {};
    for (const [k, x] of Object.entries(v)) o[k] = normalise(x);
    return o;
  }
  return String(v);
}

/**
 * A scalar as the string GitHub would see. Like GitHub, a number is converted as a number
 * (`3.10` becomes `3.1`: quote it to keep it), so a workflow behaves the same in both places.
 */
export function scalarText(src: YamlSource, node: Node | null | undefined): string {
  const n = deref(src, node);
  if (n === null) return '';
  if (isScalar(n)) {
    if (typeof n.value === 'string') return n.value;
    if (n.value === null || n.value === undefined) return '';
    return String(n.value);
  }
  return JSON.stringify(toJson(src, n));
}
