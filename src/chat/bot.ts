import { CairnError } from '../util/errors.js';
import { createAuthorizer } from './authorize.js';
import type { ClusterAccess } from './cluster-access.js';
import { commandSpecs } from './command-specs.js';
import { commandHandlers, type CommandLimits } from './commands/index.js';
import * as k from './constants.js';
import type { EventSource } from './event-source.js';
import { formatError } from './format.js';
import { createNotifier } from './notifier.js';
import { createOutbox, type Outbox } from './outbox.js';
import { parseCommand } from './parse-command.js';
import { RunWatch } from './run-watch.js';
import { clampLines } from './text.js';
import { KeyedBuckets } from './token-bucket.js';
import type { ChatAdapter, ChatLog, IncomingMessage, Timers } from './types.js';
import { systemTimers } from './types.js';

/** Rate and size limits; each defaults to the named constant in constants.ts. */
export interface ChatLimits extends CommandLimits {
  sendBurstLines: number;
  sendRefillMs: number;
  outboxLines: number;
  lineBytes: number;
  replyLines: number;
  userCommandBurst: number;
  userCommandRefillMs: number;
  commandsInFlight: number;
}

export const defaultChatLimits: ChatLimits = {
  sendBurstLines: k.sendBurstLines,
  sendRefillMs: k.sendRefillMs,
  outboxLines: k.outboxLinesMax,
  lineBytes: k.lineBytesMax,
  replyLines: k.replyLinesMax,
  userCommandBurst: k.userCommandBurst,
  userCommandRefillMs: k.userCommandRefillMs,
  commandsInFlight: k.commandsInFlightMax,
  logTailLines: k.logTailLinesMax,
  logScanBytes: k.logScanBytesMax,
  logScanMs: k.logScanMsMax,
  statusJobsShown: k.replyLinesMax - 1,
};

export interface ChatBotInit {
  adapter: ChatAdapter;
  cluster: ClusterAccess;
  events: EventSource;
  /** Nicks (or account names, where the network has accounts) allowed to change things. */
  allow: readonly string[];
  /** Commit author e-mail to chat nick; the cluster config's `chatUsers`. */
  committerNick(email: string): Promise<string | null>;
  limits?: Partial<ChatLimits>;
  timers?: Timers;
  log?: ChatLog;
}

export interface ChatBot {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The rate-limited queue of everything the bot says (for tests and metrics). */
  readonly outbox: Outbox;
}

/**
 * The chat-neutral bot: reads commands from an adapter, checks who may run them, runs them
 * against the cluster, and says the answers and the cluster's news through one rate-limited
 * outbox. Nothing here knows about IRC.
 */
export function createChatBot(init: ChatBotInit): ChatBot {
  const merged: ChatLimits = { ...defaultChatLimits, ...init.limits };
  // A log tail longer than a reply would lose its end, the part people want.
  const limits: ChatLimits = { ...merged, logTailLines: Math.min(merged.logTailLines, merged.replyLines - 1) };
  const timers = init.timers ?? systemTimers;
  const log = init.log ?? (() => {});
  const { adapter } = init;
  const fold = (n: string) => adapter.fold(n);
  const auth = createAuthorizer(init.allow, fold);
  const watch = new RunWatch();
  const userBuckets = new KeyedBuckets(limits.userCommandBurst, limits.userCommandRefillMs, k.userBucketsMax);
  /** Users told to slow down, so the warning itself is said once per episode. */
  const warned = new Set<string>();
  let inFlight = 0;
  const running = new Set<Promise<void>>();
  let stopped = false;

  const outbox = createOutbox({
    send: (target, line) => adapter.send(target, line),
    isReady: () => adapter.isReady(),
    timers,
    burstLines: limits.sendBurstLines,
    refillMs: limits.sendRefillMs,
    linesMax: limits.outboxLines,
    lineBytesMax: limits.lineBytes,
  });

  const notify = createNotifier({ say: outbox.say, channel: adapter.channel, watch, committerNick: init.committerNick, fold, log });

  function reply(msg: IncomingMessage, lines: readonly string[]): void {
    const target = msg.channel ?? msg.nick;
    const clamped = clampLines(lines, limits.replyLines);
    outbox.say(target, msg.channel === null ? clamped : clamped.map((l, i) => (i === 0 ? `${msg.nick}: ${l}` : l)));
  }

  async function handle(msg: IncomingMessage): Promise<void> {
    const parsed = parseCommand(msg.text, { selfName: adapter.selfName(), direct: msg.channel === null, fold });
    if (parsed.kind === 'ignore') return;
    const who = fold(msg.nick);
    if (!userBuckets.take(who, timers.now())) {
      if (!warned.has(who)) reply(msg, [`slow down: ${limits.userCommandBurst} commands, then one every ${Math.round(limits.userCommandRefillMs / 1000)}s`]);
      warned.add(who);
      return;
    }
    warned.delete(who);
    if (parsed.kind === 'error') return reply(msg, [parsed.message]);
    if (commandSpecs[parsed.name].mutates) {
      const decision = auth.check(msg.nick, await msg.account());
      if (!decision.allowed) {
        log('info', `refused !${parsed.name} from ${msg.nick}: ${decision.reason}`);
        return reply(msg, [`sorry, ${decision.reason}`]);
      }
    }
    if (inFlight >= limits.commandsInFlight) return reply(msg, ['busy with other commands; try again in a moment']);
    inFlight++;
    try {
      const ctx = { cluster: init.cluster, nick: msg.nick, target: msg.channel ?? msg.nick, watch, limits };
      reply(msg, await commandHandlers[parsed.name](ctx, parsed.args));
    } catch (err) {
      if (!(err instanceof CairnError)) log('error', `!${parsed.name} from ${msg.nick} failed: ${(err as Error).stack ?? String(err)}`);
      reply(msg, [formatError(err)]);
    } finally {
      inFlight--;
    }
  }

  /** Runs a task, keeping it in `running` so `stop()` can wait for it; it never rejects. */
  function track(task: () => Promise<void>, what: string): void {
    if (stopped) return;
    const p = task()
      .catch((err: unknown) => log('error', `${what}: ${(err as Error).stack ?? String(err)}`))
      .finally(() => running.delete(p));
    running.add(p);
  }

  return {
    outbox,
    async start() {
      if (!auth.anyone) log('warn', 'no --allow list: nobody may build, cancel or retry from chat');
      await adapter.start({
        message: (msg) => track(() => handle(msg), `message from ${msg.nick}`),
        ready: () => outbox.wake(),
      });
      init.events.start((event) => track(() => notify(event), `event ${event.type}`));
    },
    async stop() {
      stopped = true;
      await init.events.stop();
      await Promise.all([...running]);
      outbox.stop();
      await adapter.stop();
    },
  };
}
