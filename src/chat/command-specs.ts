/**
 * The bot's commands as data: names, arguments, whether they change anything. The parser,
 * the authorizer and `!help` read this table; the handlers live in commands/, one per file.
 */

export type CommandName = 'build' | 'status' | 'logs' | 'cancel' | 'retry' | 'nodes' | 'why' | 'help';

export interface CommandSpec {
  name: CommandName;
  /** Argument names; a trailing `?` marks an optional one. */
  args: readonly string[];
  /** Commands that change the cluster need an allowed nick (or account). */
  mutates: boolean;
  summary: string;
}

export const commandSpecs: { readonly [K in CommandName]: CommandSpec } = {
  build: { name: 'build', args: ['pipeline', 'ref?'], mutates: true, summary: 'run a registered pipeline, at a ref if given' },
  status: { name: 'status', args: ['job?'], mutates: false, summary: 'the cluster at a glance, or one job or run' },
  logs: { name: 'logs', args: ['job'], mutates: false, summary: "the last lines of a job's log" },
  cancel: { name: 'cancel', args: ['job'], mutates: true, summary: 'cancel a job or a whole run' },
  retry: { name: 'retry', args: ['job'], mutates: true, summary: "run a job's pipeline again" },
  nodes: { name: 'nodes', args: [], mutates: false, summary: 'the nodes: state, load, labels' },
  why: { name: 'why', args: ['job'], mutates: false, summary: 'why a job waits, or why it failed' },
  help: { name: 'help', args: ['command?'], mutates: false, summary: 'the commands, or how to use one' },
};

export const commandNames = Object.keys(commandSpecs) as CommandName[];

/** `!build <pipeline> [ref]`. */
export function usageOf(spec: CommandSpec): string {
  const args = spec.args.map((a) => (a.endsWith('?') ? `[${a.slice(0, -1)}]` : `<${a}>`));
  return ['!' + spec.name, ...args].join(' ');
}

export function isCommandName(s: string): s is CommandName {
  return Object.hasOwn(commandSpecs, s);
}
