import { commandNames, commandSpecs, isCommandName, usageOf } from '../command-specs.js';
import type { CommandHandler } from './context.js';

/** `!help [command]`: one line either way, so help never floods the channel. */
export const help: CommandHandler = async (_ctx, [name]) => {
  const word = name?.replace(/^!/, '');
  if (word !== undefined && isCommandName(word)) {
    const spec = commandSpecs[word];
    return [`${usageOf(spec)} — ${spec.summary}${spec.mutates ? ' (allowed people only)' : ''}`];
  }
  return [`commands: ${commandNames.map((n) => '!' + n).join(' ')} — !help <command> for one; jobs are ids like 7 (a run) or 7.2`];
};
