import { decodeEvent, dispatchEvent, type CairnEvent, type EventHandlers } from '../logs/index.js';
import type { ReplEvent, Tone } from './types.js';

/** What a streamed event's text needs besides the event: names the event does not carry. */
export interface EventViewContext {
  /** "j1 build" when the job's name is known, else the id. */
  label(job: string): string;
  /** The leader before this event, for "(was a)". */
  previousLeader: string | null;
}

const utf8 = new TextEncoder();

/**
 * One line of `GET /v1/events`, validated with the bus's own decoder (the same rules as a
 * gossiped event). Null for the `subscribed` line and for anything this client does not know:
 * a newer server's new kind must not stop the feed.
 */
export function parseStreamedEvent(raw: Record<string, unknown>): CairnEvent | null {
  if (raw['kind'] === 'subscribed') return null;
  try {
    return decodeEvent(utf8.encode(JSON.stringify({ ...raw, v: 1 })));
  } catch {
    return null;
  }
}

/**
 * The feed entry for a cluster event, worded like the entries the polling source derives, so
 * the feed reads the same whichever source fills it. `at` is the REPL's clock, not the
 * publisher's: the feed is in arrival order and other entries (reattachments) use that clock.
 */
export function replEventOf(e: CairnEvent, at: number, ctx: EventViewContext): ReplEvent {
  const ev = (kind: ReplEvent['kind'], text: string, tone: Tone): ReplEvent => ({ at, kind, text, tone });
  const handlers: EventHandlers<ReplEvent> = {
    'job-queued': (x) => ev('job-submitted', `job ${x.job}${x.name ? ` ${x.name}` : ''} queued`, 'info'),
    'job-started': (x) => ev('job-started', `job ${ctx.label(x.job)} running on ${x.node}${x.attempt > 1 ? ` (attempt ${x.attempt})` : ''}`, 'info'),
    'job-finished': (x) => ev('job-finished', `job ${ctx.label(x.job)} succeeded on ${x.node} in ${seconds(x.durationMs)}`, 'good'),
    'job-failed': (x) => {
      const exit = x.exitCode === null ? '' : ` (exit ${x.exitCode})`;
      return ev('job-finished', `job ${ctx.label(x.job)} failed on ${x.node}${x.reason ? `: ${x.reason}` : ''}${exit}`, 'bad');
    },
    'job-cancelled': (x) => ev('job-finished', `job ${ctx.label(x.job)} cancelled`, 'bad'),
    'job-retried': (x) => ev('job-retried', `job ${ctx.label(x.job)} retried: attempt ${x.attempt}${x.reason ? ` (${x.reason})` : ''}`, 'warn'),
    'node-joined': (x) => ev('node-joined', `node ${x.node} joined`, 'good'),
    'node-down': (x) => ev('node-down', `node ${x.node} lost`, 'bad'),
    'node-left': (x) => ev('node-left', `node ${x.node} left the cluster`, 'warn'),
    'leader-changed': (x) => {
      if (x.leader === null) return ev('leader-changed', `leader ${ctx.previousLeader ?? '?'} lost; election under way`, 'warn');
      const was = ctx.previousLeader === null || ctx.previousLeader === x.leader ? '' : ` (was ${ctx.previousLeader})`;
      return ev('leader-changed', `leader is now ${x.leader}, term ${x.term}${was}`, 'warn');
    },
    custom: (x) => ev('custom', `job ${ctx.label(x.job)} ${x.name}${x.data ? `: ${x.data}` : ''}`, 'info'),
  };
  return dispatchEvent(e, handlers);
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}
