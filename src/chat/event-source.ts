import type { JobRow } from './views.js';

/**
 * What the bot hears about: the cluster's "job failed / fixed" news and the end of runs. The
 * polling source (poll-event-source.ts) produces these today; a source reading the cluster's
 * event bus (gossip or an API stream) can replace it without touching the bot.
 */
export type ChatEvent =
  /** A job ended failed or lost (its retries, if any, spent). */
  | { type: 'job-failed'; job: JobRow }
  /** A job succeeded where the last finished job of the same pipeline and name had failed. */
  | { type: 'job-fixed'; job: JobRow }
  | { type: 'job-succeeded'; job: JobRow }
  | { type: 'job-cancelled'; job: JobRow }
  /** Every job of a run has ended; `state` is the run's (succeeded, failed, cancelled, lost). */
  | { type: 'run-ended'; run: string; pipeline: string; state: string; reason: string | null };

export interface EventSource {
  /** Starts delivering events to `listener`, in the order they happened. */
  start(listener: (event: ChatEvent) => void): void;
  /** Stops; resolves once no more events will be delivered. */
  stop(): Promise<void>;
}

/** Pipeline and job name: what "the same build" means for "fixed". */
export function outcomeKey(job: { pipeline: string; name: string }): string {
  return `${job.pipeline}\u0000${job.name}`;
}
