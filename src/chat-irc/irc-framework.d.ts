/**
 * The part of irc-framework 4.x the adapter uses (the package ships no types). Event payloads
 * are read defensively in irc-adapter.ts.
 */
declare module 'irc-framework' {
  export interface IrcClientOptions {
    host: string;
    port: number;
    nick: string;
    username?: string;
    gecos?: string;
    tls?: boolean;
    auto_reconnect?: boolean;
    message_max_length?: number;
    ping_interval?: number;
    ping_timeout?: number;
    version?: string;
  }

  export class Client {
    constructor(options?: Partial<IrcClientOptions>);
    readonly connected: boolean;
    user: { nick: string };
    network: {
      supports(name: string): unknown;
      cap: { isEnabled(cap: string): boolean };
    };
    connect(options?: IrcClientOptions): void;
    quit(message?: string): void;
    join(channel: string, key?: string): void;
    say(target: string, message: string): void;
    changeNick(nick: string): void;
    who(target: string, cb: (event: { target: string; users: Array<Record<string, unknown>> }) => void): void;
    caseCompare(a: string, b: string): boolean;
    caseLower(s: string): string;
    on(event: string, listener: (...args: any[]) => void): this;
    once(event: string, listener: (...args: any[]) => void): this;
    removeListener(event: string, listener: (...args: any[]) => void): this;
    removeAllListeners(event?: string): this;
  }

  const irc: { Client: typeof Client };
  export default irc;
}
