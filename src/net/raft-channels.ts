import type { IncomingStreamData, Stream } from '@libp2p/interface';
import * as lp from 'it-length-prefixed';
import { CairnError } from '../util/errors.js';
import {
  raftFrameBytesMax,
  raftOpenTimeoutMs,
  raftQueueBytesMax,
  raftQueueFramesMax,
  raftReopenBackoffMaxMs,
  raftReopenBackoffMinMs,
  raftWriteBatchBytesMax,
} from './constants.js';
import { encodeVarint, varintBytes } from './varint.js';
import type { NetworkLogger, NetworkStats, RaftMessageHandler } from './types.js';

/** What the Raft channels need from the node around them. */
export interface RaftChannelsComponents {
  /** Opens a stream of `protocol` to a peer, dialling it if needed. */
  openStream(peerId: string, protocol: string, signal: AbortSignal): Promise<Stream>;
  now(): number;
  log: NetworkLogger;
  stats: NetworkStats;
}

export interface RaftChannelsInit {
  protocol: string;
}

/**
 * Raft messages: one long-lived outbound stream per peer carrying length-prefixed frames.
 * Each peer has a bounded queue in front of its stream; yamux's stream window gives the
 * backpressure behind it, so memory per peer is bounded by the queue plus one window. When
 * the queue is full, or the peer could not be reached a moment ago, the frame is dropped:
 * Raft retransmits (§5.3), so loss costs a retry where blocking would stall the node.
 */
export class RaftChannels {
  private readonly components: RaftChannelsComponents;
  private readonly protocol: string;
  private readonly outbound = new Map<string, OutboundChannel>();
  private readonly handlers = new Set<RaftMessageHandler>();
  private stopped = false;

  constructor(components: RaftChannelsComponents, init: RaftChannelsInit) {
    this.components = components;
    this.protocol = init.protocol;
  }

  send(peerId: string, bytes: Uint8Array): boolean {
    if (bytes.byteLength > raftFrameBytesMax) {
      throw new CairnError(
        'PAYLOAD_TOO_LARGE',
        `raft frame of ${bytes.byteLength} bytes exceeds the ${raftFrameBytesMax}-byte maximum; split the snapshot`,
        { bytes: bytes.byteLength, max: raftFrameBytesMax, peerId },
      );
    }
    if (this.stopped) return this.drop();
    let channel = this.outbound.get(peerId);
    if (channel === undefined) {
      channel = new OutboundChannel(peerId, this.protocol, this.components);
      this.outbound.set(peerId, channel);
    }
    return channel.enqueue(bytes) ? true : this.drop();
  }

  onMessage(cb: RaftMessageHandler): () => void {
    this.handlers.add(cb);
    return () => this.handlers.delete(cb);
  }

  /** The peer's connection closed: its stream is gone, so start afresh on the next send. */
  peerDisconnected(peerId: string): void {
    this.outbound.get(peerId)?.reset();
  }

  /** Reads one peer's frames in order until the stream ends. */
  async handleInbound({ stream, connection }: IncomingStreamData): Promise<void> {
    const from = connection.remotePeer.toString();
    // This side never writes: close it so the stream ends when the sender closes its side.
    stream.closeWrite().catch(() => {});
    try {
      for await (const frame of lp.decode(stream.source, { maxDataLength: raftFrameBytesMax })) {
        this.components.stats.raftFramesReceived++;
        const bytes = frame.subarray();
        for (const h of this.handlers) h(from, bytes);
      }
    } catch (err) {
      const name = (err as Error).name;
      if (name === 'InvalidDataLengthError') {
        this.components.log.warn({ peerId: from, max: raftFrameBytesMax }, 'raft frame over the size limit; stream closed');
      } else if (!this.stopped) {
        this.components.log.debug({ peerId: from, err: String(err) }, 'raft inbound stream ended');
      }
      stream.abort(err as Error);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const c of this.outbound.values()) c.reset();
    this.outbound.clear();
    this.handlers.clear();
  }

  private drop(): false {
    this.components.stats.raftFramesDropped++;
    return false;
  }
}

type ChannelState = 'idle' | 'opening' | 'open' | 'failed';

/** One peer's queue and stream. The stream is opened on demand and replaced after a failure. */
class OutboundChannel {
  private readonly peerId: string;
  private readonly protocol: string;
  private readonly components: RaftChannelsComponents;
  private state: ChannelState = 'idle';
  private queue: Uint8Array[] = [];
  private queuedBytes = 0;
  /** Bumped by every reset, so a stale writer loop knows it no longer owns the queue. */
  private generation = 0;
  private wake: (() => void) | undefined;
  private stream: Stream | undefined;
  private openAbort: AbortController | undefined;
  private retryAtMs = 0;
  private backoffMs = raftReopenBackoffMinMs;

  constructor(peerId: string, protocol: string, components: RaftChannelsComponents) {
    this.peerId = peerId;
    this.protocol = protocol;
    this.components = components;
  }

  enqueue(bytes: Uint8Array): boolean {
    if (this.state === 'failed') {
      if (this.components.now() < this.retryAtMs) return false;
      this.state = 'idle';
    }
    if (this.queue.length >= raftQueueFramesMax || this.queuedBytes + bytes.byteLength > raftQueueBytesMax) return false;
    this.queue.push(bytes);
    this.queuedBytes += bytes.byteLength;
    if (this.state === 'idle') this.open();
    else this.wakeWriter();
    return true;
  }

  /** Drops the queue and the stream; the next enqueue opens a new one at once. */
  reset(): void {
    this.generation++;
    this.components.stats.raftFramesDropped += this.queue.length;
    this.queue = [];
    this.queuedBytes = 0;
    this.state = 'idle';
    this.backoffMs = raftReopenBackoffMinMs;
    this.openAbort?.abort();
    this.openAbort = undefined;
    this.stream?.abort(new Error('raft channel reset'));
    this.stream = undefined;
    this.wakeWriter();
  }

  private open(): void {
    this.state = 'opening';
    void this.run(this.generation);
  }

  /** Opens the stream and feeds it until it fails or the channel is reset. */
  private async run(generation: number): Promise<void> {
    const abort = new AbortController();
    this.openAbort = abort;
    const timer = setTimeout(() => abort.abort(new Error('raft stream open timed out')), raftOpenTimeoutMs);
    let stream: Stream;
    try {
      stream = await this.components.openStream(this.peerId, this.protocol, abort.signal);
    } catch (err) {
      this.components.stats.raftStreamOpenFailures++;
      this.failed(generation, err);
      return;
    } finally {
      clearTimeout(timer);
    }
    if (generation !== this.generation) {
      stream.abort(new Error('raft channel reset while opening'));
      return;
    }
    this.stream = stream;
    this.openAbort = undefined;
    this.state = 'open';
    this.backoffMs = raftReopenBackoffMinMs;
    try {
      await stream.sink(this.frames(generation));
      this.failed(generation, undefined);
    } catch (err) {
      this.failed(generation, err);
    }
  }

  /** The stream ended or never opened: drop what was queued and refuse sends for a backoff. */
  private failed(generation: number, err: unknown): void {
    if (generation !== this.generation) return;
    this.generation++;
    this.components.stats.raftFramesDropped += this.queue.length;
    this.queue = [];
    this.queuedBytes = 0;
    this.stream?.abort(new Error('raft stream failed'));
    this.stream = undefined;
    this.openAbort = undefined;
    this.state = 'failed';
    this.retryAtMs = this.components.now() + this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, raftReopenBackoffMaxMs);
    this.components.log.debug({ peerId: this.peerId, err: String(err) }, 'raft stream closed');
  }

  private wakeWriter(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /**
   * The stream's source: waits for frames and writes them with it-length-prefixed's framing
   * (an unsigned varint length, then the bytes). Small frames are copied into one buffer per
   * write, so each write pays the encryption layers once; a large frame goes out uncopied.
   */
  private async *frames(generation: number): AsyncGenerator<Uint8Array> {
    while (generation === this.generation) {
      const first = this.queue[0];
      if (first === undefined) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        // Let the rest of this event-loop turn queue its frames too (Raft sends in bursts
        // from one Ready), so they share one write instead of paying the layers each.
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      if (first.byteLength >= raftWriteBatchBytesMax) {
        this.take(1);
        const prefix = new Uint8Array(varintBytes(first.byteLength));
        encodeVarint(first.byteLength, prefix, 0);
        yield prefix;
        yield first;
        continue;
      }
      let n = 0;
      let size = 0;
      for (const f of this.queue) {
        const framed = varintBytes(f.byteLength) + f.byteLength;
        // The first frame always goes (it is under the batch size); later ones only if they fit.
        if (n > 0 && (f.byteLength >= raftWriteBatchBytesMax || size + framed > raftWriteBatchBytesMax)) break;
        size += framed;
        n++;
      }
      const batch = new Uint8Array(size);
      let offset = 0;
      for (const f of this.take(n)) {
        offset = encodeVarint(f.byteLength, batch, offset);
        batch.set(f, offset);
        offset += f.byteLength;
      }
      yield batch;
    }
  }

  private take(n: number): Uint8Array[] {
    const taken = this.queue.splice(0, n);
    for (const f of taken) this.queuedBytes -= f.byteLength;
    this.components.stats.raftFramesSent += n;
    return taken;
  }
}
