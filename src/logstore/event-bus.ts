import { decodeEvent, encodeEvent, type CairnEvent } from '../logs/index.js';
import type { Network, Unsubscribe } from '../net/index.js';
import { eventsTopic } from './constants.js';

export interface EventBusInit {
  network: Pick<Network, 'publish' | 'subscribe'>;
  topic?: string;
}

/** Counters for /metrics and tests. */
export interface EventBusStats {
  published: number;
  delivered: number;
  /** Messages that did not decode (a newer peer's unknown kind, or garbage). */
  malformed: number;
}

/**
 * The event bus over gossip: best-effort notifications (job and node lifecycle, leader
 * changes, custom step events) for the REPL and the chat bot, which subscribe instead of
 * polling. Subscribers on this node also get this node's own events.
 */
export class EventBus {
  readonly stats: EventBusStats = { published: 0, delivered: 0, malformed: 0 };
  readonly #network: Pick<Network, 'publish' | 'subscribe'>;
  readonly #topic: string;

  constructor(init: EventBusInit) {
    this.#network = init.network;
    this.#topic = init.topic ?? eventsTopic;
  }

  /** Publishes an event; INVALID_INPUT or PAYLOAD_TOO_LARGE for a malformed one. */
  async publish(event: CairnEvent): Promise<void> {
    await this.#network.publish(this.#topic, encodeEvent(event));
    this.stats.published++;
  }

  /** Calls `cb` with every event, this node's own included, with the publishing peer's id. */
  subscribe(cb: (event: CairnEvent, from: string) => void): Unsubscribe {
    return this.#network.subscribe(
      this.#topic,
      (from, bytes) => {
        let event: CairnEvent;
        try {
          event = decodeEvent(bytes);
        } catch {
          this.stats.malformed++;
          return;
        }
        this.stats.delivered++;
        cb(event, from);
      },
      { includeSelf: true },
    );
  }
}
