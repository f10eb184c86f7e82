import type { Command } from 'commander';
import { CairnError } from '../../util/errors.js';

/** `cairn bot irc`: the chat bot (arrives with the chat-ops issue). */
export function register(program: Command): void {
  program
    .command('bot')
    .description('chat bots')
    .command('irc')
    .requiredOption('--server <host:port>', 'IRC server')
    .requiredOption('--channel <chan>', "channel to join, e.g. '#builds'")
    .requiredOption('--nick <name>', "the bot's nick")
    .option('--allow <nicks>', 'nicks allowed to run commands that change anything')
    .description('run the IRC bot')
    .action(() => {
      throw new CairnError('NOT_IMPLEMENTED', 'cairn bot irc is not implemented yet');
    });
}
