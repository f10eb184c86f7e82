import { randomBytes } from 'node:crypto';
import type { Message, PubSub } from '@libp2p/interface';
import { CairnError, assert } from '../util/errors.js';
import { gossipMessageBytesMax } from './constants.js';
import type { GossipHandler, NetworkFaults, NetworkStats, SubscribeOptions } from './types.js';

/** Longest origin (a peer id as text) in the envelope: its length is one byte. */
const originBytesMax = 255;
/** The sequence number: 64 bits, so it never wraps in a node's lifetime. */
const seqBytes = 8;

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
 *
 * Messages are not signed (gossipsub's StrictNoSign): every connection is already
 * authenticated and encrypted (the cluster key, then noise with the peer's own key), and an
 * ed25519 signature per message, checked again by every receiver, was most of the CPU a
 * job's log cost in libp2p. The origin and a sequence number travel instead in a small
 * envelope in front of the data, `originBytes(1) origin seq(8) data`, which is also the
 * message id (see `gossipMessageId`). A member could claim another member's origin; a node
 * holding the cluster key is trusted with far more than that (it takes part in Raft).
 */
export class Gossip {
  private readonly components: GossipComponents;
  private readonly dropRate: number;
  private readonly random: () => number;
  private readonly topics = new Map<string, Set<Subscriber>>();
  /** Topics joined at start, kept whether or not anything here subscribes. */
  private readonly fixedTopics = new Set<string>();
  /** This node's envelope up to the sequence number, and the sequence number itself. */
  private readonly origin: Uint8Array;
  private readonly seq: DataView;
  private readonly onMessage = (evt: CustomEvent<Message>): void => this.deliver(evt.detail);

  constructor(components: GossipComponents, faults: NetworkFaults = {}) {
    this.components = components;
    this.dropRate = faults.gossipDropRate ?? 0;
    this.random = faults.random ?? Math.random;
    const id = Buffer.from(components.selfId);
    assert(id.byteLength <= originBytesMax, `peer id of ${id.byteLength} bytes is too long for the gossip envelope`);
    this.origin = Buffer.concat([Buffer.of(id.byteLength), id]);
    // A random start: a restarted node's messages must not collide with its previous ones,
    // which peers may still hold in their seen cache.
    this.seq = new DataView(new Uint8Array(randomBytes(seqBytes)).buffer);
  }

  start(topics: readonly string[]): void {
    this.components.pubsub.addEventListener('message', this.onMessage);
    for (const t of topics) {
      this.fixedTopics.add(t);
      this.components.pubsub.subscribe(t);
    }
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
    await this.components.pubsub.publish(topic, this.envelope(bytes));
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
      // The last subscriber gone, a topic not joined at start is left: peers stop sending it here.
      if (subs.size > 0 || this.topics.get(topic) !== subs || this.fixedTopics.has(topic)) return;
      this.topics.delete(topic);
      try {
        if (this.components.pubsub.getTopics().includes(topic)) this.components.pubsub.unsubscribe(topic);
      } catch {
        // A stopped network has left every topic already.
      }
    };
  }

  /** `bytes` behind this node's origin and its next sequence number. */
  private envelope(bytes: Uint8Array): Uint8Array {
    const head = this.origin.byteLength + seqBytes;
    const out = new Uint8Array(head + bytes.byteLength);
    out.set(this.origin, 0);
    out.set(new Uint8Array(this.seq.buffer), this.origin.byteLength);
    out.set(bytes, head);
    const lo = this.seq.getUint32(4);
    this.seq.setUint32(4, (lo + 1) >>> 0);
    if (lo === 0xffff_ffff) this.seq.setUint32(0, (this.seq.getUint32(0) + 1) >>> 0);
    return out;
  }

  private deliver(msg: Message): void {
    const subs = this.topics.get(msg.topic);
    if (subs === undefined || subs.size === 0) return;
    const head = envelopeHeadBytes(msg.data);
    // Only a peer speaking another version of this envelope sends one without it.
    if (head === null) return;
    const from = Buffer.from(msg.data.buffer, msg.data.byteOffset + 1, msg.data[0]!).toString();
    const data = msg.data.subarray(head);
    const self = from === this.components.selfId;
    if (!self && this.dropRate > 0 && this.random() < this.dropRate) {
      this.components.stats.gossipDropped++;
      return;
    }
    for (const s of subs) {
      if (self && !s.includeSelf) continue;
      this.components.stats.gossipDelivered++;
      s.cb(from, data);
    }
  }
}

/** Bytes of the envelope in front of the data (origin and sequence number), or null if malformed. */
function envelopeHeadBytes(data: Uint8Array): number | null {
  if (data.byteLength === 0) return null;
  const head = 1 + data[0]! + seqBytes;
  return data[0]! > 0 && data.byteLength >= head ? head : null;
}

/**
 * Gossipsub's message id: the envelope's origin and sequence number, unique per message,
 * taken as they are (no hash of the data). A malformed message is identified by all its bytes.
 */
export function gossipMessageId(msg: Message): Uint8Array {
  const head = envelopeHeadBytes(msg.data);
  return head === null ? msg.data : msg.data.subarray(0, head);
}
