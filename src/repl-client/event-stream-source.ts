import { CairnError } from '../util/errors.js';
import type { ClusterConnection } from './cluster-connection.js';
import { eventResubscribeDelayMaxMs, eventResubscribeDelayMinMs, jobNamesRememberedMax } from './constants.js';
import { createPollingEventSource, type ReplEventSource } from './event-source.js';
import { parseStreamedEvent, replEventOf } from './event-view.js';
import type { ReplEvent } from './types.js';

/** Which source fills the feed now. */
export type EventStreamMode = 'connecting' | 'streaming' | 'polling';

/** The connection to subscribe through, the view's clock, and the resubscription pauses. */
export interface StreamingEventSourceInit {
  connection: ClusterConnection;
  now: () => number;
  resubscribeDelayMinMs?: number;
  resubscribeDelayMaxMs?: number;
  /** A stream that failed for another reason than an unreachable node (the polls already show those). */
  onError?: (err: unknown) => void;
  /** Each change of mode, e.g. to show which source fills the feed. */
  onModeChange?: (mode: EventStreamMode) => void;
}

/** A `ReplEventSource` over `GET /v1/events`, with its mode for the curious (tests). */
export interface StreamingEventSource extends ReplEventSource {
  readonly mode: EventStreamMode;
}

/**
 * The feed from the cluster's event bus: subscribes to `GET /v1/events` on the node the
 * connection is attached to, and subscribes again on the new node whenever the connection
 * moves. A broken stream is resubscribed after a pause that doubles up to a maximum. A server
 * without the stream (501 NOT_IMPLEMENTED) leaves the feed to the polls' differences until the
 * connection moves to a node that has it.
 *
 * The polls' differences also fill the gaps while no stream is up (between a break and the next
 * subscription), since the bus does not replay what a subscriber missed. Around the instant a
 * stream comes up, an event may show twice or not at all; the job table and header, read from
 * the polls, stay the truth.
 */
export function createStreamingEventSource(init: StreamingEventSourceInit): StreamingEventSource {
  const { connection, now } = init;
  const delayMinMs = init.resubscribeDelayMinMs ?? eventResubscribeDelayMinMs;
  const delayMaxMs = init.resubscribeDelayMaxMs ?? eventResubscribeDelayMaxMs;
  const differ = createPollingEventSource(now);
  const names = new Map<string, string>();
  let leader: string | null = null;
  let mode: EventStreamMode = 'connecting';
  const setMode = (m: EventStreamMode): void => {
    if (m === mode) return;
    mode = m;
    init.onModeChange?.(m);
  };

  const remember = (job: string, name: string): void => {
    if (!name || names.get(job) === name) return;
    names.delete(job);
    names.set(job, name);
    // Maps iterate in insertion order: the first key is the one seen longest ago.
    if (names.size > jobNamesRememberedMax) names.delete(names.keys().next().value!);
  };
  const label = (job: string): string => {
    const name = names.get(job);
    return name === undefined ? job : `${job} ${name}`;
  };

  return {
    get mode() { return mode; },
    observe(snapshot) {
      for (const j of snapshot.jobs) remember(j.id, j.name);
      leader = snapshot.cluster.leader ?? leader;
      differ.observe(snapshot);
    },
    start(sink) {
      let stopped = false;
      let current: AbortController | null = null;
      let timer: NodeJS.Timeout | null = null;
      let failures = 0;
      const stopDiffer = differ.start((e) => { if (mode !== 'streaming') sink(e); });

      const deliver = (raw: Record<string, unknown>): void => {
        const e = parseStreamedEvent(raw);
        if (e === null) return;
        if (e.kind === 'job-queued') remember(e.job, e.name);
        const view: ReplEvent = replEventOf(e, now(), { label, previousLeader: leader });
        if (e.kind === 'leader-changed') leader = e.leader;
        sink(view);
      };

      const subscribe = async (): Promise<void> => {
        const ac = new AbortController();
        current = ac;
        setMode('connecting');
        try {
          for await (const raw of connection.client(connection.url, 'stream').events(ac.signal)) {
            if (raw['kind'] === 'subscribed') {
              setMode('streaming');
              failures = 0;
            } else {
              deliver(raw);
            }
          }
        } catch (err) {
          if (ac.signal.aborted) return;
          if (noStream(err)) {
            // Nothing to retry on this node: the polls fill the feed until the connection moves.
            setMode('polling');
            return;
          }
          if (!(err instanceof CairnError && err.code === 'UNREACHABLE')) init.onError?.(err);
        }
        // Whoever aborted the stream starts the next one; otherwise it broke or the server ended it.
        if (ac.signal.aborted || stopped) return;
        setMode('connecting');
        const delayMs = Math.min(delayMaxMs, delayMinMs * 2 ** Math.min(failures, 30));
        failures++;
        timer = setTimeout(() => { timer = null; void subscribe(); }, delayMs);
      };

      const restart = (): void => {
        if (stopped) return;
        current?.abort();
        if (timer !== null) clearTimeout(timer);
        timer = null;
        failures = 0;
        void subscribe();
      };

      const off = connection.onEvent((e) => { if (e.kind === 'attached') restart(); });
      void subscribe();
      return () => {
        stopped = true;
        off();
        current?.abort();
        if (timer !== null) clearTimeout(timer);
        stopDiffer();
      };
    },
  };
}

/** The node has no event stream: an older server, or a service without an event bus. */
function noStream(err: unknown): boolean {
  return err instanceof CairnError && (err.code === 'NOT_IMPLEMENTED' || err.data['status'] === 404);
}
