import irc from 'irc-framework';
import type { AccountStatus, AdapterEvents, ChatAdapter, ChatLog, Timers } from '../chat/index.js';
import { systemTimers } from '../chat/index.js';
import { lineBytesMax } from '../chat/constants.js';
import { CairnError } from '../util/errors.js';
import * as k from './constants.js';

export interface IrcAdapterInit {
  host: string;
  port: number;
  nick: string;
  channel: string;
  tls?: boolean;
  reconnectMsMin?: number;
  reconnectMsMax?: number;
  rejoinMs?: number;
  whoTimeoutMs?: number;
  timers?: Timers;
  log?: ChatLog;
}

export interface IrcAdapter extends ChatAdapter {
  /** Successful registrations so far (1 after the first connect; +1 per reconnect). */
  connections(): number;
}

type Ev = Record<string, unknown>;
const s = (e: Ev, key: string): string => (typeof e[key] === 'string' ? (e[key] as string) : '');

/**
 * IRC through irc-framework. It reconnects by itself, forever, with a capped exponential
 * backoff (irc-framework's own gives up after three tries), rejoins the channel after a
 * reconnect or a kick, and reports who is logged in to which account where the server says
 * so (IRCv3 account-tag, else WHOX); elsewhere the nick is all there is.
 */
export function createIrcAdapter(init: IrcAdapterInit): IrcAdapter {
  const timers = init.timers ?? systemTimers;
  const log = init.log ?? (() => {});
  const minMs = init.reconnectMsMin ?? k.reconnectMsMin;
  const maxMs = init.reconnectMsMax ?? k.reconnectMsMax;
  const client = new irc.Client();
  let events: AdapterEvents | null = null;
  let registered = false;
  let joined = false;
  let stopping = false;
  let failures = 0;
  let registrations = 0;
  let nickTries = 0;
  let reconnectTimer: unknown = null;
  let rejoinTimer: unknown = null;

  const options = {
    host: init.host,
    port: init.port,
    nick: init.nick,
    username: 'cairn',
    gecos: 'cairn build bot',
    tls: init.tls ?? false,
    auto_reconnect: false,
    // The core cuts lines to lineBytesMax; irc-framework must not split them behind its back.
    message_max_length: lineBytesMax,
    ping_interval: k.pingIntervalS,
    ping_timeout: k.pingTimeoutS,
    version: 'cairn bot',
  };

  const same = (a: string, b: string) => client.caseCompare(a, b);

  client.on('registered', () => {
    if (stopping) return client.quit('cairn bot stopping');
    registered = true;
    registrations++;
    failures = 0;
    nickTries = 0;
    log('info', `connected to ${init.host}:${init.port} as ${client.user.nick}`);
    client.join(init.channel);
  });
  client.on('nick in use', () => {
    if (registered) return;
    // Another connection holds the nick (our own ghost, after a network cut): take a variant.
    nickTries++;
    client.changeNick(`${init.nick.slice(0, 7)}_${nickTries % 10}`);
  });
  // When the holder of our nick leaves, take it back.
  const regain = (e: Ev) => {
    if (registered && same(s(e, 'nick'), init.nick) && !same(client.user.nick, init.nick)) client.changeNick(init.nick);
  };
  client.on('quit', regain);
  client.on('nick', regain);
  client.on('join', (e: Ev) => {
    if (!same(s(e, 'nick'), client.user.nick) || !same(s(e, 'channel'), init.channel)) return;
    joined = true;
    log('info', `joined ${init.channel}`);
    events?.ready();
  });
  const left = (e: Ev, who: string) => {
    if (!same(who, client.user.nick) || !same(s(e, 'channel'), init.channel)) return;
    joined = false;
    log('warn', `left ${init.channel} (${s(e, 'message') || 'no reason'}); rejoining`);
    scheduleRejoin();
  };
  client.on('kick', (e: Ev) => left(e, s(e, 'kicked')));
  client.on('part', (e: Ev) => left(e, s(e, 'nick')));
  client.on('irc error', (e: Ev) => {
    if (s(e, 'channel') !== '' && same(s(e, 'channel'), init.channel) && !joined) {
      log('warn', `cannot join ${init.channel}: ${s(e, 'error') || s(e, 'reason')}`);
      scheduleRejoin();
    }
  });
  client.on('close', () => {
    registered = false;
    joined = false;
    // irc-framework's WHO queue waits for a reply that a closed connection will never send.
    (client as unknown as { who_queue?: unknown }).who_queue = undefined;
    if (!stopping) scheduleReconnect();
  });
  client.on('privmsg', (e: Ev) => {
    const nick = s(e, 'nick');
    if (nick === '' || e.from_server === true || same(nick, client.user.nick)) return;
    const target = s(e, 'target');
    const channel = same(target, init.channel) ? init.channel : same(target, client.user.nick) ? null : undefined;
    if (channel === undefined) return;
    const tagAccount = typeof e.account === 'string' && e.account !== '' ? e.account : null;
    events?.message({ nick, channel, text: s(e, 'message'), account: () => accountOf(nick, tagAccount) });
  });

  function accountOf(nick: string, tagAccount: string | null): Promise<AccountStatus> {
    if (client.network.cap.isEnabled('account-tag')) {
      return Promise.resolve(tagAccount === null ? { kind: 'none' } : { kind: 'account', name: tagAccount });
    }
    if (!client.network.supports('WHOX')) return Promise.resolve({ kind: 'unsupported' });
    return new Promise((resolve) => {
      const timer = timers.setTimeout(() => resolve({ kind: 'none' }), init.whoTimeoutMs ?? k.whoTimeoutMs);
      client.who(nick, (res) => {
        timers.clearTimeout(timer);
        const user = res.users.find((u) => typeof u.nick === 'string' && same(u.nick, nick));
        const account = typeof user?.account === 'string' ? user.account : '';
        resolve(account === '' || account === '0' ? { kind: 'none' } : { kind: 'account', name: account });
      });
    });
  }

  function scheduleReconnect(): void {
    if (reconnectTimer !== null) return;
    const base = Math.min(maxMs, minMs * 2 ** Math.min(failures, 20));
    // Jitter, so bots restarted together do not reconnect in lockstep.
    const wait = Math.round(base * (0.75 + Math.random() * 0.25));
    failures++;
    log('warn', `disconnected from ${init.host}:${init.port}; reconnecting in ${wait} ms (attempt ${failures})`);
    reconnectTimer = timers.setTimeout(() => {
      reconnectTimer = null;
      if (!stopping) client.connect(options);
    }, wait);
  }

  function scheduleRejoin(): void {
    if (rejoinTimer !== null || stopping) return;
    rejoinTimer = timers.setTimeout(() => {
      rejoinTimer = null;
      if (registered && !joined && !stopping) client.join(init.channel);
    }, init.rejoinMs ?? k.rejoinMs);
  }

  return {
    channel: init.channel,
    selfName: () => client.user.nick || init.nick,
    isReady: () => registered && joined && client.connected,
    fold: (name) => client.caseLower(name),
    connections: () => registrations,
    async start(ev) {
      events = ev;
      client.connect(options);
    },
    send(target, line) {
      if (client.connected) client.say(target, line);
    },
    async stop() {
      stopping = true;
      for (const t of [reconnectTimer, rejoinTimer]) if (t !== null) timers.clearTimeout(t);
      reconnectTimer = rejoinTimer = null;
      if (!client.connected) {
        // A connection may be half open (connecting, registering): close it too.
        client.quit('cairn bot stopping');
        return;
      }
      await new Promise<void>((resolve) => {
        const timer = timers.setTimeout(resolve, k.quitWaitMs);
        client.once('close', () => {
          timers.clearTimeout(timer);
          resolve();
        });
        client.quit('cairn bot stopping');
      });
    },
  };
}

/** `host:port`, `[v6]:port` or `host` (port 6667). Throws USAGE otherwise. */
export function parseServer(spec: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:\s[\]]+))(?::(\d{1,5}))?$/.exec(spec.trim());
  const host = m?.[1] ?? m?.[2];
  const port = m?.[3] === undefined ? k.ircPortDefault : Number(m[3]);
  if (host === undefined || port < 1 || port > 65535) {
    throw new CairnError('USAGE', `--server ${JSON.stringify(spec)}: give HOST:PORT, e.g. irc.example.org:6667`, { server: spec });
  }
  return { host, port };
}
