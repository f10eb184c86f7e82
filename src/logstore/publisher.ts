import { encodeChunkMessages, encodeLogMessage, messageBytesMax, messageRawBytesMax, type Compress, type LogChunk, type LogEnd } from '../logs/index.js';
import type { Network } from '../net/index.js';
import { gossipCompressionLevel, logsTopic, publishLingerMs, publishPageBytes, publishPagesIdleMs, publishQueueBytesMax as defaultQueueBytesMax, publishSparePagesMax } from './constants.js';
import { CopyPages, type CopyPage } from './copy-pages.js';
import type { LogSink } from './log-writer.js';
import { Signal, sleep } from '../util/signal.js';
import { zstdCompressor } from './zstd.js';

export interface PublisherInit {
  /** With topicPeers, nothing is published while no peer is subscribed to the topic. */
  network: Pick<Network, 'publish'> & Partial<Pick<Network, 'topicPeers'>>;
  topic?: string;
  compress?: Compress;
  queueBytesMax?: number;
  /** See publishLingerMs. */
  lingerMs?: number;
}

/** Counters for /metrics and tests. */
export interface PublisherStats {
  messages: number;
  /** Encoded (compressed) bytes published. */
  bytes: number;
  /** Raw chunk bytes published. */
  rawBytes: number;
  /** Chunks dropped from gossip because the queue was full (followers fetch them from the file). */
  droppedChunks: number;
  /** Publishes the network refused (counted, not retried: followers repair). */
  failures: number;
  /** Chunks and end markers not published because no peer was subscribed to the topic. */
  unheard: number;
}

/** A queued chunk's data is a copy in `page` (released once it is encoded or shed). */
type Item = { chunk: LogChunk; page: CopyPage } | { end: LogEnd };

/**
 * Gossips the chunks of the logs this node writes: a sink for LogWriter. Chunks queue up and
 * one pump sends them, packing whatever is waiting for the same attempt into messages of up
 * to `messageRawBytesMax` raw bytes, each compressed with zstd (fewer when the output does not
 * compress, so a message stays within `messageBytesMax`). A job never waits for it: when
 * the queue is full the oldest chunks are dropped from gossip (not from the file), and
 * followers fetch them as gaps. A chunk's bytes are valid only while it is handed over, so the
 * queue holds copies, in pages reused once their chunks are sent.
 */
export class LogPublisher implements LogSink {
  readonly stats: PublisherStats = { messages: 0, bytes: 0, rawBytes: 0, droppedChunks: 0, failures: 0, unheard: 0 };
  readonly #network: PublisherInit['network'];
  readonly #topic: string;
  readonly #compress: Compress;
  readonly #queueBytesMax: number;
  readonly #queue: Item[] = [];
  readonly #copies = new CopyPages(publishPageBytes, publishSparePagesMax);
  /** Lets the spare pages go once nothing has been sent for publishPagesIdleMs. */
  #trimTimer: NodeJS.Timeout | undefined;
  #queuedBytes = 0;
  #pumping = false;
  #lastSendMs = -Infinity;
  /**
   * Raw bytes the next message gathers: `messageRawBytesMax` while output compresses well;
   * after output that does not, what such output fits in `messageBytesMax`, so it is not
   * compressed in vain before being split (see encodeChunkMessages).
   */
  #rawBudget = messageRawBytesMax;
  readonly #lingerMs: number;
  readonly #idle = new Signal();

  constructor(init: PublisherInit) {
    this.#network = init.network;
    this.#topic = init.topic ?? logsTopic;
    this.#compress = init.compress ?? zstdCompressor(gossipCompressionLevel);
    this.#queueBytesMax = init.queueBytesMax ?? defaultQueueBytesMax;
    this.#lingerMs = init.lingerMs ?? publishLingerMs;
  }

  chunks(chunks: readonly LogChunk[]): void {
    if (!this.#heard()) {
      this.stats.unheard += chunks.length;
      return;
    }
    for (const chunk of chunks) {
      // The chunk's data is valid only during this call (see LogSink): the queue keeps a copy.
      const { data, page } = this.#copies.copy(chunk.data);
      this.#queue.push({ chunk: { ...chunk, data }, page });
      this.#queuedBytes += chunk.data.byteLength;
    }
    this.#shed();
    this.#kick();
  }

  end(end: LogEnd): void {
    if (!this.#heard()) {
      this.stats.unheard++;
      return;
    }
    this.#queue.push({ end });
    this.#kick();
  }

  /** Resolves once everything queued so far has been handed to the network. */
  async flushed(): Promise<void> {
    while (this.#pumping || this.#queue.length > 0) await this.#idle.wait();
  }

  /**
   * Whether any peer is subscribed to the topic. A node subscribes only while it follows a log
   * (LogFollower), so with no follower anywhere a job's output costs no compression or network.
   */
  #heard(): boolean {
    return this.#network.topicPeers === undefined || this.#network.topicPeers(this.#topic).length > 0;
  }

  /** Drops the oldest chunks (never end markers) while the queue is over its limit. */
  #shed(): void {
    while (this.#queuedBytes > this.#queueBytesMax) {
      const i = this.#queue.findIndex((it) => 'chunk' in it);
      if (i < 0) return;
      const it = this.#queue.splice(i, 1)[0] as Extract<Item, { chunk: LogChunk }>;
      this.#queuedBytes -= it.chunk.data.byteLength;
      this.#copies.release(it.page);
      this.stats.droppedChunks++;
    }
  }

  #kick(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    clearTimeout(this.#trimTimer);
    this.#trimTimer = undefined;
    void this.#pump();
  }

  async #pump(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const head = this.#queue[0]!;
        if ('end' in head) {
          this.#queue.shift();
          await this.#send(encodeLogMessage({ kind: 'end', end: head.end }, this.#compress), 0);
          continue;
        }
        // Output flowing fast: wait a moment so the message fills up (fewer, larger messages
        // cost far less than many small ones); a quiet job's chunk still goes out at once.
        const sinceLastMs = performance.now() - this.#lastSendMs;
        if (sinceLastMs < this.#lingerMs && this.#queuedBytes < this.#rawBudget) await sleep(this.#lingerMs - sinceLastMs);
        // Take the consecutive chunks of the same attempt that fit in one message.
        const batch: LogChunk[] = [];
        const pages: CopyPage[] = [];
        let raw = 0;
        while (this.#queue.length > 0) {
          const it = this.#queue[0]!;
          if (!('chunk' in it) || it.chunk.job !== head.chunk.job || it.chunk.attempt !== head.chunk.attempt) break;
          if (batch.length > 0 && raw + it.chunk.data.byteLength > this.#rawBudget) break;
          this.#queue.shift();
          batch.push(it.chunk);
          pages.push(it.page);
          raw += it.chunk.data.byteLength;
          this.#queuedBytes -= it.chunk.data.byteLength;
        }
        // Encoded (compressed) at once, so the copies are released before the first send waits.
        const messages = encodeChunkMessages(head.chunk.job, head.chunk.attempt, batch, this.#compress, this.#rawBudget);
        for (const page of pages) this.#copies.release(page);
        this.#rawBudget = nextRawBudget(raw, messages.reduce((n, m) => n + m.wire.byteLength, 0));
        for (const m of messages) await this.#send(m.wire, m.rawBytes);
      }
    } finally {
      this.#pumping = false;
      this.#trimTimer = setTimeout(() => this.#copies.trim(), publishPagesIdleMs);
      this.#trimTimer.unref();
      this.#idle.notify();
    }
  }

  async #send(wire: Uint8Array, raw: number): Promise<void> {
    this.#lastSendMs = performance.now();
    try {
      await this.#network.publish(this.#topic, wire);
      this.stats.messages++;
      this.stats.bytes += wire.byteLength;
      this.stats.rawBytes += raw;
    } catch {
      this.stats.failures++;
    }
  }
}

/**
 * The raw bytes of the next message, from how well the last batch compressed: as many as fit
 * in half of `messageBytesMax` at that ratio (room for output that compresses less well), at
 * least what fits uncompressed, at most `messageRawBytesMax`.
 */
function nextRawBudget(rawBytes: number, wireBytes: number): number {
  const fit = Math.floor((rawBytes / Math.max(1, wireBytes)) * (messageBytesMax / 2));
  return Math.min(messageRawBytesMax, Math.max(messageBytesMax / 2, fit));
}
