import { createChatBot, createClusterAccess, createCommitterLookup, createStreamEventSource, type ChatBot, type ChatLimits, type ChatLog } from '../chat/index.js';
import { CairnError } from '../util/errors.js';
import { createIrcAdapter, parseServer, type IrcAdapter } from './irc-adapter.js';

export interface IrcBotOptions {
  /** `HOST:PORT` of the IRC server. */
  server: string;
  channel: string;
  nick: string;
  /** Nicks or account names allowed to build, cancel and retry. */
  allow: readonly string[];
  /** REST API URLs of one or more cluster nodes. */
  apiUrls: readonly string[];
  token?: string;
  /** Extra e-mail → nick entries, ahead of the cluster config's `chatUsers`. */
  committers?: Record<string, string>;
  /** Tuning for tests: faster polls (when the cluster has no event stream), reconnects and send rates. */
  pollMs?: number;
  reconnectMsMin?: number;
  reconnectMsMax?: number;
  limits?: Partial<ChatLimits>;
  log?: ChatLog;
}

export interface RunningIrcBot {
  bot: ChatBot;
  adapter: IrcAdapter;
  stop(): Promise<void>;
}

/** Wires the IRC adapter, the cluster follower, the event source and the core together. */
export async function startIrcBot(opts: IrcBotOptions): Promise<RunningIrcBot> {
  const { host, port } = parseServer(opts.server);
  if (!/^[#&+!][^\s,\x07]{1,49}$/.test(opts.channel)) {
    throw new CairnError('USAGE', `--channel ${JSON.stringify(opts.channel)} is not a channel name (quote it: '#builds')`);
  }
  if (!/^[A-Za-z[\]\\`_^{|}][A-Za-z0-9[\]\\`_^{|}-]{0,29}$/.test(opts.nick)) {
    throw new CairnError('USAGE', `--nick ${JSON.stringify(opts.nick)} is not an IRC nick`);
  }
  const log = opts.log ?? (() => {});
  const cluster = createClusterAccess({ urls: opts.apiUrls, ...(opts.token === undefined ? {} : { token: opts.token }) });
  const adapter = createIrcAdapter({
    host,
    port,
    nick: opts.nick,
    channel: opts.channel,
    log,
    ...(opts.reconnectMsMin === undefined ? {} : { reconnectMsMin: opts.reconnectMsMin }),
    ...(opts.reconnectMsMax === undefined ? {} : { reconnectMsMax: opts.reconnectMsMax }),
  });
  // The event bus when the cluster serves it; polling otherwise (the source falls back by itself).
  const events = createStreamEventSource({ cluster, log, ...(opts.pollMs === undefined ? {} : { pollMs: opts.pollMs }) });
  const bot = createChatBot({
    adapter,
    cluster,
    events,
    allow: opts.allow,
    committerNick: createCommitterLookup({ cluster, ...(opts.committers === undefined ? {} : { extra: opts.committers }) }),
    log,
    ...(opts.limits === undefined ? {} : { limits: opts.limits }),
  });
  await bot.start();
  return { bot, adapter, stop: () => bot.stop() };
}

/** `cairn bot irc`: runs until SIGINT or SIGTERM, then leaves IRC cleanly. */
export async function runIrcBot(opts: IrcBotOptions): Promise<void> {
  const running = await startIrcBot(opts);
  await new Promise<void>((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
  await running.stop();
}

/** Log lines on stderr: the channel is for people, the operator reads this. */
export const stderrLog: ChatLog = (level, message) => {
  process.stderr.write(`${new Date().toISOString()} bot ${level}: ${message}\n`);
};
