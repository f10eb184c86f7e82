import irc from 'irc-framework';

export interface Heard {
  from: string;
  /** The channel, or our own nick for a direct message. */
  target: string;
  text: string;
}

const connectMsMax = 10_000;

/**
 * A person in the channel: a second, independent irc-framework client that talks to the bot
 * and records everything it hears, so a test can wait for one line (with a timeout).
 */
export class IrcUser {
  readonly heard: Heard[] = [];
  private waiters: Array<() => void> = [];
  private constructor(
    readonly nick: string,
    private readonly client: InstanceType<typeof irc.Client>,
  ) {
    client.on('privmsg', (e: { nick: string; target: string; message: string }) => {
      this.heard.push({ from: e.nick, target: e.target, text: e.message });
      for (const w of this.waiters) w();
    });
  }

  /** Connects, registers and joins `channel`. */
  static async connect(port: number, nick: string, channel: string): Promise<IrcUser> {
    const client = new irc.Client();
    const user = new IrcUser(nick, client);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${nick} could not join ${channel} within ${connectMsMax} ms`)), connectMsMax);
      client.on('registered', () => client.join(channel));
      client.on('join', (e: { nick: string; channel: string }) => {
        if (e.nick === nick && e.channel.toLowerCase() === channel.toLowerCase()) {
          clearTimeout(timer);
          resolve();
        }
      });
      client.connect({ host: '127.0.0.1', port, nick, auto_reconnect: false });
    });
    return user;
  }

  /** Where the next line heard will be; pass it to `waitFor` to ignore older lines. */
  mark(): number {
    return this.heard.length;
  }

  say(target: string, text: string): void {
    this.client.say(target, text);
  }

  /** The first line from `from` at or after `since` that matches, or a timeout error listing what was heard. */
  waitFor(from: string, match: RegExp, opts: { since?: number; timeoutMs?: number; target?: string } = {}): Promise<Heard> {
    const since = opts.since ?? 0;
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const find = () => this.heard.slice(since).find((h) => h.from === from && match.test(h.text) && (opts.target === undefined || h.target.toLowerCase() === opts.target.toLowerCase()));
    return new Promise((resolve, reject) => {
      const check = () => {
        const h = find();
        if (h === undefined) return;
        cleanup();
        resolve(h);
      };
      const timer = setTimeout(() => {
        cleanup();
        const seen = this.heard.slice(since).map((h) => `<${h.from}> ${h.target}: ${h.text}`).join('\n');
        reject(new Error(`${this.nick} did not hear ${match} from ${from} within ${timeoutMs} ms; heard:\n${seen}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
      };
      this.waiters.push(check);
      check();
    });
  }

  /** Says `text` to `target` and waits for `from`'s answer matching `match`. */
  ask(target: string, text: string, from: string, match: RegExp, timeoutMs?: number): Promise<Heard> {
    const since = this.mark();
    this.say(target, text);
    return this.waitFor(from, match, { since, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
  }

  /** Quits and waits (bounded) for the socket to close. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2_000);
      this.client.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.client.quit('bye');
    });
  }
}
