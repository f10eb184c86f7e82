/**
 * The event bus's model: every fact the REPL and the chat bot show as it happens, gossiped on
 * one topic so they subscribe instead of polling. Each event carries the publishing node's
 * clock (`timeMs`); the bus is best-effort and unordered across publishers, so consumers treat
 * events as notifications and read the cluster state for the truth.
 */

interface Base {
  /** When it happened, publisher's clock, ms since the epoch. */
  timeMs: number;
}

export interface JobQueuedEvent extends Base {
  kind: 'job-queued';
  job: string;
  name: string;
}
export interface JobStartedEvent extends Base {
  kind: 'job-started';
  job: string;
  attempt: number;
  node: string;
}
/** The attempt succeeded. */
export interface JobFinishedEvent extends Base {
  kind: 'job-finished';
  job: string;
  attempt: number;
  node: string;
  durationMs: number;
}
export interface JobFailedEvent extends Base {
  kind: 'job-failed';
  job: string;
  attempt: number;
  node: string;
  /** null when the process was ended by a signal or never ran. */
  exitCode: number | null;
  reason: string;
}
export interface JobCancelledEvent extends Base {
  kind: 'job-cancelled';
  job: string;
  /** null when the job was cancelled before any attempt started. */
  attempt: number | null;
}
/** A new attempt was queued after the previous one failed or lost its node. */
export interface JobRetriedEvent extends Base {
  kind: 'job-retried';
  job: string;
  /** The new attempt's number. */
  attempt: number;
  reason: string;
}
export interface NodeJoinedEvent extends Base {
  kind: 'node-joined';
  node: string;
}
export interface NodeLeftEvent extends Base {
  kind: 'node-left';
  node: string;
}
export interface NodeDownEvent extends Base {
  kind: 'node-down';
  node: string;
}
export interface LeaderChangedEvent extends Base {
  kind: 'leader-changed';
  leader: string | null;
  term: number;
}
/** A step's `::cairn-event name::data` line, or a `cairn event` command. */
export interface StepCustomEvent extends Base {
  kind: 'custom';
  job: string;
  attempt: number;
  name: string;
  data: string;
}

export type CairnEvent =
  | JobQueuedEvent
  | JobStartedEvent
  | JobFinishedEvent
  | JobFailedEvent
  | JobCancelledEvent
  | JobRetriedEvent
  | NodeJoinedEvent
  | NodeLeftEvent
  | NodeDownEvent
  | LeaderChangedEvent
  | StepCustomEvent;

export type EventKind = CairnEvent['kind'];

/**
 * One handler per event kind. Because the table is exhaustive, adding a kind makes the
 * compiler point at every consumer that does not handle it yet.
 */
export type EventHandlers<R> = { [K in EventKind]: (e: Extract<CairnEvent, { kind: K }>) => R };

/** Calls the handler for `e`'s kind. */
export function dispatchEvent<R>(e: CairnEvent, handlers: EventHandlers<R>): R {
  return (handlers[e.kind] as (e: CairnEvent) => R)(e);
}
