import { diffSnapshots, type ClusterSnapshot } from './event-diff.js';
import type { ReplEvent } from './types.js';

/**
 * Where the event feed comes from: the cluster's event stream (`createStreamingEventSource`,
 * the session's default) or the differences between successive polls (this file, also the
 * stream's fallback on a node without one).
 */
export interface ReplEventSource {
  /** Every snapshot a poll takes; a streaming source may ignore them. */
  observe(snapshot: ClusterSnapshot): void;
  /** Starts delivering events to `sink`; returns the function that stops it. */
  start(sink: (e: ReplEvent) => void): () => void;
}

/** Events from the difference between two polls. */
export function createPollingEventSource(now: () => number): ReplEventSource {
  let prev: ClusterSnapshot | null = null;
  let sink: ((e: ReplEvent) => void) | null = null;
  return {
    observe(snapshot) {
      const events = diffSnapshots(prev, snapshot, now());
      prev = snapshot;
      if (sink !== null) for (const e of events) sink(e);
    },
    start(s) {
      sink = s;
      return () => { sink = null; };
    },
  };
}
