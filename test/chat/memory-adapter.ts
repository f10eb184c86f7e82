import type { AccountStatus, AdapterEvents, ChatAdapter, ChatEvent, EventSource } from '../../src/chat/index.js';

export interface Said {
  target: string;
  line: string;
}

/**
 * A chat network in memory: the adapter seam of the core, for tests of the core alone (the
 * IRC adapter itself is tested against ngircd). People "say" lines; the bot's lines are kept.
 */
export class MemoryAdapter implements ChatAdapter {
  readonly said: Said[] = [];
  ready = true;
  private events: AdapterEvents | null = null;
  private waiters: Array<() => void> = [];

  constructor(readonly channel = '#ci', private readonly nick = 'cairnbot') {}

  selfName(): string {
    return this.nick;
  }
  isReady(): boolean {
    return this.ready;
  }
  fold(name: string): string {
    return name.toLowerCase();
  }
  async start(events: AdapterEvents): Promise<void> {
    this.events = events;
  }
  send(target: string, line: string): void {
    this.said.push({ target, line });
    for (const w of [...this.waiters]) w();
  }
  async stop(): Promise<void> {
    this.events = null;
  }

  /** Someone says `text` in the channel (or directly, with `channel: null`). */
  receive(nick: string, text: string, opts: { channel?: string | null; account?: AccountStatus } = {}): void {
    const account = opts.account ?? { kind: 'unsupported' };
    this.events?.message({ nick, channel: opts.channel === undefined ? this.channel : opts.channel, text, account: async () => account });
  }

  /** The network is back: the core may flush what it queued. */
  reconnect(): void {
    this.ready = true;
    this.events?.ready();
  }

  mark(): number {
    return this.said.length;
  }

  /** Waits (bounded) until `count` lines after `since` match. */
  waitFor(match: (s: Said) => boolean, opts: { since?: number; count?: number; timeoutMs?: number } = {}): Promise<Said[]> {
    const since = opts.since ?? 0;
    const count = opts.count ?? 1;
    const timeoutMs = opts.timeoutMs ?? 5_000;
    return new Promise((resolve, reject) => {
      const check = () => {
        const got = this.said.slice(since).filter(match);
        if (got.length < count) return;
        done();
        resolve(got);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms; the bot said:\n${this.said.slice(since).map((s) => `${s.target}: ${s.line}`).join('\n')}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
      };
      this.waiters.push(check);
      check();
    });
  }
}

/** An event source the test feeds by hand (the seam a bus-backed source will plug into). */
export class ManualEventSource implements EventSource {
  private listener: ((e: ChatEvent) => void) | null = null;
  start(listener: (e: ChatEvent) => void): void {
    this.listener = listener;
  }
  async stop(): Promise<void> {
    this.listener = null;
  }
  emit(e: ChatEvent): void {
    this.listener?.(e);
  }
}
