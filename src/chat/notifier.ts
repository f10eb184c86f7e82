import type { ChatEvent } from './event-source.js';
import { formatFailure, formatFailureDirect, formatFixed, formatRunEnded } from './format.js';
import type { RunWatch } from './run-watch.js';
import type { ChatLog } from './types.js';

export interface NotifierInit {
  /** Queues lines for a channel or a nick (the bot's rate-limited outbox). */
  say(target: string, lines: readonly string[]): void;
  channel: string;
  watch: RunWatch;
  /** Commit author e-mail to chat nick (the cluster config's `chatUsers`); null when unknown. */
  committerNick(email: string): Promise<string | null>;
  fold(name: string): string;
  log?: ChatLog;
}

/**
 * Turns cluster events into chat: a failed job goes to the channel and, directly, to its
 * committer (the commit author's e-mail mapped to a nick; for a run started from chat with
 * no author known, the nick that started it); a fixed build goes to the channel; a run
 * started from chat is announced when it ends, to who started it.
 */
export function createNotifier(init: NotifierInit): (event: ChatEvent) => Promise<void> {
  const log = init.log ?? (() => {});
  return async (event) => {
    switch (event.type) {
      case 'job-failed': {
        init.say(init.channel, [formatFailure(event.job)]);
        const nick = await committerOf(event.job.authorEmail, event.job.run);
        if (nick !== null) init.say(nick, [formatFailureDirect(event.job, init.channel)]);
        return;
      }
      case 'job-fixed':
        init.say(init.channel, [formatFixed(event.job)]);
        return;
      case 'run-ended': {
        const w = init.watch.get(event.run);
        if (w === undefined) return;
        const line = formatRunEnded(event.run, event.pipeline || w.pipeline, event.state, event.reason);
        init.say(w.target, [init.fold(w.target) === init.fold(w.nick) ? line : `${w.nick}: ${line}`]);
        return;
      }
      case 'job-succeeded':
      case 'job-cancelled':
        return;
    }
  };

  async function committerOf(email: string | null, run: string): Promise<string | null> {
    if (email !== null) {
      try {
        const nick = await init.committerNick(email);
        if (nick !== null) return nick;
      } catch (err) {
        log('warn', `cannot look up the chat nick of ${email}: ${(err as Error).message}`);
      }
    }
    return init.watch.get(run)?.nick ?? null;
  }
}
