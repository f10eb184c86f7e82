import { commandSpecs, isCommandName, usageOf, type CommandName } from './command-specs.js';

/** Command lines longer than this are not commands (a paste, not something typed). */
export const commandTextMax = 400;

export type Parsed =
  /** Not meant for the bot: say nothing. */
  | { kind: 'ignore' }
  /** Meant for the bot but wrong: say why, briefly. */
  | { kind: 'error'; message: string }
  | { kind: 'command'; name: CommandName; args: string[] };

export interface ParseContext {
  /** The bot's current nick, for "cairn: status". */
  selfName: string;
  /** A direct message: the prefix is optional and unknown words get an answer. */
  direct: boolean;
  fold: (name: string) => string;
}

/** Job and run ids: `7`, `7.2`, or whatever the cluster hands out, without spaces or quotes. */
const jobIdRe = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Registered pipeline names. */
const pipelineRe = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/;
/** Git revisions: branch, tag or sha; never starting with `-` (it would read as an option). */
const refRe = /^[A-Za-z0-9_][A-Za-z0-9._/@^~+-]{0,199}$/;

const argChecks: Record<string, { re: RegExp; what: string }> = {
  job: { re: jobIdRe, what: 'a job id like 7 or 7.2' },
  pipeline: { re: pipelineRe, what: 'a registered pipeline name' },
  ref: { re: refRe, what: 'a branch, tag or commit' },
  command: { re: /^!?[a-z]{1,16}$/, what: 'a command name' },
};

/**
 * Reads one chat line. In a channel only `!cmd …` and `<bot>: cmd …` are for the bot, and an
 * unknown `!word` is ignored (it may belong to another bot); in a direct message any line is.
 */
export function parseCommand(text: string, ctx: ParseContext): Parsed {
  const line = text.trim();
  if (line === '' || line.length > commandTextMax) return { kind: 'ignore' };
  let body: string;
  let addressed = ctx.direct;
  if (line.startsWith('!')) {
    body = line.slice(1);
  } else {
    const m = /^([^\s:,]+)[:,]\s*(.*)$/.exec(line);
    if (m !== null && ctx.fold(m[1]!) === ctx.fold(ctx.selfName)) {
      body = m[2]!;
      addressed = true;
    } else if (ctx.direct) {
      body = line;
    } else {
      return { kind: 'ignore' };
    }
  }
  const words = body.split(/\s+/).filter((w) => w !== '');
  const word = (words[0] ?? '').toLowerCase();
  if (word === '') return addressed ? { kind: 'error', message: 'say !help for the commands' } : { kind: 'ignore' };
  if (!isCommandName(word)) {
    return addressed ? { kind: 'error', message: `no command "${word.slice(0, 20)}"; say !help for the commands` } : { kind: 'ignore' };
  }
  const spec = commandSpecs[word];
  const args = words.slice(1);
  const required = spec.args.filter((a) => !a.endsWith('?')).length;
  if (args.length < required || args.length > spec.args.length) {
    return { kind: 'error', message: `usage: ${usageOf(spec)}` };
  }
  for (let i = 0; i < args.length; i++) {
    const name = spec.args[i]!.replace(/\?$/, '');
    const check = argChecks[name];
    if (check !== undefined && !check.re.test(args[i]!)) {
      return { kind: 'error', message: `"${args[i]!.slice(0, 40)}" is not ${check.what}; usage: ${usageOf(spec)}` };
    }
  }
  return { kind: 'command', name: word, args };
}
