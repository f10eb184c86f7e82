import type { Command } from 'commander';
import { globalOptions } from '../context.js';

/** `cairn bot irc`: the chat bot; the IRC stack loads only when the command runs. */
export function register(program: Command): void {
  program
    .command('bot')
    .description('chat bots')
    .command('irc')
    .requiredOption('--server <host:port>', 'IRC server')
    .requiredOption('--channel <chan>', "channel to join, e.g. '#builds'")
    .requiredOption('--nick <name>', "the bot's nick")
    .option('--allow <nicks>', 'nicks (or account names) allowed to build, cancel and retry, comma-separated')
    .description('run the IRC bot (--api may list several nodes, comma-separated, to fail over between)')
    .action(async (opts: { server: string; channel: string; nick: string; allow?: string }, cmd: Command) => {
      const { runIrcBot, stderrLog } = await import('../../chat-irc/index.js');
      const token = process.env.CAIRN_API_TOKEN;
      await runIrcBot({
        server: opts.server,
        channel: opts.channel,
        nick: opts.nick,
        allow: (opts.allow ?? '').split(',').map((s) => s.trim()).filter(Boolean),
        apiUrls: globalOptions(cmd).api.split(',').map((s) => s.trim()).filter(Boolean),
        ...(token ? { token } : {}),
        log: stderrLog,
      });
    });
}
