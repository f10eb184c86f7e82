import type { Message, PubSub } from '@libp2p/interface';
import { CairnError } from '../util/errors.js';
import { gossipMessageBytesMax } from './constants.js';
import type { GossipHandler, NetworkFaults, NetworkStats, SubscribeOptions } from './types.js';

export interface GossipComponents {
  pubsub: PubSub;
  selfId: string;
  stats: NetworkStats;
}

interface Subscriber {
  cb: GossipHandler;
  includeSelf: boolean;
}

/**
 * Topic subscriptions over gossipsub. Gossipsub is configured to emit this node's own
 * messages, and each subscriber chooses whether it wants them; fault injection drops a share
 * of received messages before any subscriber sees them, as a lossy network would.
 */
export class Gossip {
  private readonly components: GossipComponents;
  private readonly dropRate: number;
  private readonly random: () => number;
  private readonly topics = new Map<string, Set<Subscriber>>();
  private readonly onMessage = (evt: CustomEvent<Message>): void => this.deliver(evt.detail);

  constructor(components: GossipComponents, faults: NetworkFaults = {}) {
    this.components = components;
    this.dropRate = faults.gossipDropRate ?? 0;
    this.random = faults.random ?? Math.random;
  }

  start(topics: readonly string[]): void {
    this.components.pubsub.addEventListener('message', this.onMessage);
    for (const t of topics) this.components.pubsub.subscribe(t);
    for (const t of this.topics.keys()) this.components.pubsub.subscribe(t);
  }

  stop(): void {
    this.components.pubsub.removeEventListener('message', this.onMessage);
    this.topics.clear();
  }

  async publish(topic: string, bytes: Uint8Array): Promise<void> {
    if (bytes.byteLength > gossipMessageBytesMax) {
      throw new CairnError('PAYLOAD_TOO_LARGE', `gossip message of ${bytes.byteLength} bytes exceeds the ${gossipMessageBytesMax}-byte maximum`, {
        topic,
        bytes: bytes.byteLength,
        max: gossipMessageBytesMax,
      });
    }
    await this.components.pubsub.publish(topic, bytes);
    this.components.stats.gossipPublished++;
  }

  subscribe(topic: string, cb: GossipHandler, started: boolean, opts: SubscribeOptions = {}): () => void {
    let subs = this.topics.get(topic);
    if (subs === undefined) {
      subs = new Set();
      this.topics.set(topic, subs);
      if (started) this.components.pubsub.subscribe(topic);
    }
    const sub: Subscriber = { cb, includeSelf: opts.includeSelf ?? false };
    subs.add(sub);
    return () => {
      subs.delete(sub);
    };
  }

  private deliver(msg: Message): void {
    const subs = this.topics.get(msg.topic);
    if (subs === undefined || subs.size === 0) return;
    // Messages are signed (StrictSign), so `from` is always present; unsigned ones are ignored.
    if (msg.type !== 'signed') return;
    const from = msg.from.toString();
    const self = from === this.components.selfId;
    if (!self && this.dropRate > 0 && this.random() < this.dropRate) {
      this.components.stats.gossipDropped++;
      return;
    }
    for (const s of subs) {
      if (self && !s.includeSelf) continue;
      this.components.stats.gossipDelivered++;
      s.cb(from, msg.data);
    }
  }
}
