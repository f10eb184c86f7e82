/**
 * The chat-neutral contract between the bot core and a chat network. An adapter (IRC today;
 * Slack or Matrix would each be one more file) turns its network's events into
 * `IncomingMessage`s and delivers plain-text lines; everything else lives in the core.
 */

/**
 * What the network says about who sent a message:
 * - `account`: the sender is logged in to this account (IRCv3 account-tag, WHOX, SSO);
 * - `none`: the network has accounts and the sender is not logged in;
 * - `unsupported`: the network does not tell, so the nick is all there is.
 */
export type AccountStatus = { kind: 'account'; name: string } | { kind: 'none' } | { kind: 'unsupported' };

export interface IncomingMessage {
  /** The sender's display name (IRC nick). */
  nick: string;
  /** The channel it was said in, or null for a direct message to the bot. */
  channel: string | null;
  text: string;
  /** Asked only for commands that change something (it may cost a round trip, e.g. WHOX). */
  account(): Promise<AccountStatus>;
}

export interface AdapterEvents {
  message(msg: IncomingMessage): void;
  /** The adapter can deliver again (connected and in the channel): queued lines may flow. */
  ready(): void;
}

export interface ChatAdapter {
  /** The channel (room) the bot lives in and announces to. */
  readonly channel: string;
  /** The bot's own name right now, to recognise "cairn: status". */
  selfName(): string;
  /** True while lines can be delivered. */
  isReady(): boolean;
  /** Names are compared after this (IRC: rfc1459 case mapping). */
  fold(name: string): string;
  /** Connects (and keeps reconnecting); resolves once the first connection attempt is under way. */
  start(events: AdapterEvents): Promise<void>;
  /** Says one line (already cleaned and cut to size by the core) to a channel or a user. */
  send(target: string, line: string): void;
  /** Leaves the network and stops reconnecting. */
  stop(): Promise<void>;
}

/** Injected time, so rate limits and polling can be tested without the wall clock. */
export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real clock and timers. */
export const systemTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Where the bot writes what it does (startup, reconnects, errors); never to the channel. */
export type ChatLog = (level: 'info' | 'warn' | 'error', message: string) => void;
