/** Front door of the IRC adapter of the chat bot (irc-framework). */
export { createIrcAdapter, parseServer, type IrcAdapter, type IrcAdapterInit } from './irc-adapter.js';
export { startIrcBot, runIrcBot, stderrLog, type IrcBotOptions, type RunningIrcBot } from './run-irc-bot.js';
