import { commandNames, commandTable, isCommandName } from './command-table.js';

/** What the completer may offer besides command names. */
export interface CompletionSources {
  jobs: readonly string[];
  nodes: readonly string[];
}

/** The line after completion. */
export interface CompletionResult {
  text: string;
  cursor: number;
  /** More than one match: the words the prompt lists under the line. */
  candidates: string[];
}

/** Candidates listed under the prompt at most; the rest are counted. */
export const completionCandidatesMax = 30;

/**
 * Completes the word before the cursor: a command name first, then what the command takes
 * (job ids, node names, flags). A single match is completed with a space after it; several
 * are completed to their common prefix and listed.
 */
export function complete(text: string, cursor: number, sources: CompletionSources): CompletionResult {
  const before = text.slice(0, cursor);
  const after = text.slice(cursor);
  const start = before.search(/\S*$/);
  const word = before.slice(start);
  const earlier = before.slice(0, start).trim().split(/\s+/).filter(Boolean);
  const pool = poolFor(earlier, word, sources);
  const matches = [...new Set(pool.filter((c) => c.startsWith(word)))].sort(compareIds);
  if (matches.length === 0) return { text, cursor, candidates: [] };
  if (matches.length === 1) {
    const done = `${matches[0]!} `;
    const trimmedAfter = after.startsWith(' ') ? after.slice(1) : after;
    return { text: before.slice(0, start) + done + trimmedAfter, cursor: start + done.length, candidates: [] };
  }
  const prefix = commonPrefix(matches);
  return { text: before.slice(0, start) + prefix + after, cursor: start + prefix.length, candidates: matches.slice(0, completionCandidatesMax) };
}

function poolFor(earlier: string[], word: string, sources: CompletionSources): readonly string[] {
  const head = earlier[0]?.toLowerCase();
  if (head === undefined) return commandNames;
  if (!isCommandName(head)) return [];
  const spec = commandTable[head];
  if (word.startsWith('-') && spec.flags.length > 0) return spec.flags;
  const positional = earlier.slice(1).filter((w) => !w.startsWith('-') && !w.startsWith('+'));
  if (positional.length > 0) return [];
  if (spec.arg === 'job') return sources.jobs;
  if (spec.arg === 'node') return sources.nodes;
  return [];
}

function commonPrefix(words: string[]): string {
  let p = words[0] ?? '';
  for (const w of words) while (!w.startsWith(p)) p = p.slice(0, -1);
  return p;
}

/** Job ids like 7.2 and 10.1 sort as numbers, part by part. */
function compareIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
