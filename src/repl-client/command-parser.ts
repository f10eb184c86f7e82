import { commandTable, isCommandName } from './command-table.js';
import { historyLimitDefault } from './constants.js';

/** A parsed REPL command line. */
export type ReplCommand =
  | { name: 'nodes' }
  | { name: 'jobs' }
  | { name: 'submit'; target: string }
  | { name: 'logs'; job: string; follow: boolean }
  | { name: 'status'; job: string }
  | { name: 'why'; job: string }
  | { name: 'cancel'; job: string }
  | { name: 'retry'; job: string }
  | { name: 'history'; limit: number }
  | { name: 'labels'; node: string; add: string[]; remove: string[] }
  | { name: 'leader' }
  | { name: 'help' }
  | { name: 'quit' };

/** A command, a message saying what is wrong with the line, or nothing to do. */
export type ParseResult = { ok: true; command: ReplCommand } | { ok: false; message: string } | { ok: 'empty' };

/** The most records `history N` asks for: the API caps it too, this keeps the view small. */
const historyLimitMax = 500;
/** The same word rules as `cairn submit --labels` terms. */
const labelPattern = /^[A-Za-z0-9._\/-]+(=[A-Za-z0-9._\/-]*)?$/;
const jobIdPattern = /^[A-Za-z0-9._-]+$/;

/** Splits a line into words; single or double quotes keep spaces inside a word. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) words.push(m[1] ?? m[2] ?? m[3] ?? '');
  return words;
}

/** Parses one line typed at the prompt. Pure: the session runs what it returns. */
export function parseCommand(line: string): ParseResult {
  const words = splitWords(line.trim());
  const [head, ...args] = words;
  if (head === undefined) return { ok: 'empty' };
  const name = head.toLowerCase();
  if (name === 'exit') return { ok: true, command: { name: 'quit' } };
  if (name === '?') return { ok: true, command: { name: 'help' } };
  if (!isCommandName(name)) return { ok: false, message: `unknown command "${head}": type help for the list` };
  const usage = `usage: ${commandTable[name].usage}`;
  switch (name) {
    case 'nodes':
    case 'jobs':
    case 'leader':
    case 'help':
    case 'quit':
      return args.length === 0 ? { ok: true, command: { name } } : { ok: false, message: usage };
    case 'submit':
      return args.length === 1 ? { ok: true, command: { name, target: args[0]! } } : { ok: false, message: usage };
    case 'logs': {
      const follow = args.some((a) => a === '-f' || a === '--follow');
      const rest = args.filter((a) => a !== '-f' && a !== '--follow');
      if (rest.length !== 1) return { ok: false, message: usage };
      return jobArg(rest[0]!, (job) => ({ name, job, follow }));
    }
    case 'status':
    case 'why':
    case 'cancel':
    case 'retry':
      return args.length === 1 ? jobArg(args[0]!, (job) => ({ name, job })) : { ok: false, message: usage };
    case 'history': {
      if (args.length === 0) return { ok: true, command: { name, limit: historyLimitDefault } };
      const n = Number(args[0]);
      if (args.length > 1 || !Number.isInteger(n) || n < 1 || n > historyLimitMax) return { ok: false, message: `usage: history [n], n from 1 to ${historyLimitMax}` };
      return { ok: true, command: { name, limit: n } };
    }
    case 'labels':
      return parseLabels(args, usage);
  }
}

function jobArg(job: string, make: (job: string) => ReplCommand): ParseResult {
  return jobIdPattern.test(job) ? { ok: true, command: make(job) } : { ok: false, message: `"${job}" is not a job id` };
}

function parseLabels(args: string[], usage: string): ParseResult {
  const [node, ...changes] = args;
  if (node === undefined || changes.length === 0) return { ok: false, message: usage };
  const add: string[] = [];
  const remove: string[] = [];
  for (const c of changes) {
    const sign = c[0];
    const label = c.slice(1);
    if ((sign !== '+' && sign !== '-') || !labelPattern.test(label)) {
      return { ok: false, message: `"${c}": write +label to add or -label to remove (${usage})` };
    }
    (sign === '+' ? add : remove).push(label);
  }
  return { ok: true, command: { name: 'labels', node, add, remove } };
}
