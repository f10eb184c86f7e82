import type { HelpEntry } from './types.js';

/** What a command's argument names, for tab completion. */
export type ArgKind = 'none' | 'job' | 'file' | 'node' | 'number';

/** One command: its usage line, its help text, and what to complete after it. */
export interface CommandSpec {
  usage: string;
  text: string;
  arg: ArgKind;
  /** Flags it accepts, for completion. */
  flags: readonly string[];
}

/** Every REPL command, in the order `help` lists them. */
export const commandTable = {
  nodes: { usage: 'nodes', text: 'nodes with role, state, load and labels', arg: 'none', flags: [] },
  jobs: { usage: 'jobs', text: 'the queue and recent jobs, and why waiting jobs wait', arg: 'none', flags: [] },
  submit: { usage: 'submit <file|name>', text: 'submit a pipeline file (or a registered pipeline) and follow its jobs', arg: 'file', flags: [] },
  logs: { usage: 'logs <job> [-f]', text: "show a job's log; -f follows it live", arg: 'job', flags: ['-f', '--follow'] },
  status: { usage: 'status <job>', text: 'state, node and attempts of a job', arg: 'job', flags: [] },
  why: { usage: 'why <job>', text: "the scheduler's explanation of where a job stands", arg: 'job', flags: [] },
  cancel: { usage: 'cancel <job>', text: 'cancel a job', arg: 'job', flags: [] },
  retry: { usage: 'retry <job>', text: "submit the job's pipeline again", arg: 'job', flags: [] },
  history: { usage: 'history [n]', text: 'finished jobs, newest first', arg: 'number', flags: [] },
  labels: { usage: 'labels <node> +x -y', text: "add (+) and remove (-) a node's labels", arg: 'node', flags: [] },
  leader: { usage: 'leader', text: 'the leader, the term, and the node the REPL talks to', arg: 'none', flags: [] },
  help: { usage: 'help', text: 'this list', arg: 'none', flags: [] },
  quit: { usage: 'quit', text: 'leave the REPL (also Ctrl-D)', arg: 'none', flags: [] },
} as const satisfies Record<string, CommandSpec>;

/** A command's name. */
export type CommandName = keyof typeof commandTable;

/** The names, in `help` order. */
export const commandNames = Object.keys(commandTable) as CommandName[];

/** True when `s` names a command. */
export function isCommandName(s: string): s is CommandName {
  return Object.hasOwn(commandTable, s);
}

/** `help`'s entries. */
export function helpEntries(): HelpEntry[] {
  return commandNames.map((n) => ({ usage: commandTable[n].usage, text: commandTable[n].text }));
}
