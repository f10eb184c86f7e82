import {
  checkLogId,
  decodeLogMessage,
  decodeRangeReply,
  encodeRangeRequest,
  logKey,
  peekLogMessage,
  type Decompress,
  type LogChunk,
} from '../logs/index.js';
import type { Network, Unsubscribe } from '../net/index.js';
import { CairnError, assert } from '../util/errors.js';
import { logRangeProtocol, logsTopic, repairTimeoutMs } from './constants.js';
import { FollowSession, defaultFollowTiming, type FollowStats, type FollowTiming } from './follow-session.js';
import { zstdDecompress } from './zstd.js';

export interface FollowerInit {
  network: Pick<Network, 'subscribe' | 'request'>;
  topic?: string;
  decompress?: Decompress;
  /** Shorter timings for tests; defaults in constants.ts. */
  timing?: Partial<FollowTiming>;
}

export interface FollowOptions {
  /** First chunk wanted (a reader resuming after the last chunk it got); default 0. */
  fromSeq?: number;
  /** The owner's peer id, when known (the attempt's node); otherwise learnt from the first gossip message. */
  owner?: string;
  signal?: AbortSignal;
  /** Receives the follow's counters when it ends (tests, debugging). */
  onStats?: (stats: FollowStats) => void;
}

/** Counters of the follower as a whole. */
export interface FollowerStats {
  /** Gossip messages that did not decode. */
  malformed: number;
}

/**
 * Follows logs owned by other nodes: one gossip subscription, dispatched to the follows in
 * progress on this node (each a FollowSession). Messages of attempts nobody here follows are
 * skipped before decompression. The subscription is held only while a follow is in progress
 * (unless the network joined the log topic at start): a node nobody reads logs on is sent no
 * log gossip, and owners publish none when no node listens (LogPublisher). What a new follow
 * misses before its subscription reaches the owner, its catch-up fetches from the owner's file.
 */
export class LogFollower {
  readonly stats: FollowerStats = { malformed: 0 };
  readonly #network: Pick<Network, 'subscribe' | 'request'>;
  readonly #topic: string;
  readonly #decompress: Decompress;
  readonly #timing: FollowTiming;
  readonly #sessions = new Map<string, Set<FollowSession>>();
  #unsubscribe: Unsubscribe | undefined;
  #started = false;

  constructor(init: FollowerInit) {
    this.#network = init.network;
    this.#topic = init.topic ?? logsTopic;
    this.#decompress = init.decompress ?? zstdDecompress;
    this.#timing = { ...defaultFollowTiming, ...init.timing };
  }

  /** Makes follows possible; the log topic is subscribed to with the first one. */
  start(): void {
    assert(!this.#started, 'follower started twice');
    this.#started = true;
  }

  /** Unsubscribes; follows in progress end with UNREACHABLE (their readers resume elsewhere). */
  stop(): void {
    this.#started = false;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    for (const set of this.#sessions.values()) {
      for (const s of set) s.close(new CairnError('UNREACHABLE', 'this node stopped following logs', { job: s.job, attempt: s.attempt }));
    }
    this.#sessions.clear();
  }

  /**
   * The attempt's chunks from `fromSeq` on, in order, with no gap and no duplicate, until the
   * attempt's end marker (then the copy is verified against it). Throws STORAGE_CORRUPT if the
   * copy differs from the owner's file, UNREACHABLE if the owner stays unreachable, NOT_FOUND if
   * the owner has no such log. Ends quietly when `signal` aborts.
   */
  async *follow(job: string, attempt: number, opts: FollowOptions = {}): AsyncGenerator<LogChunk> {
    checkLogId(job, attempt);
    assert(this.#started, 'follower not started');
    this.#unsubscribe ??= this.#network.subscribe(this.#topic, (from, bytes) => this.#onGossip(from, bytes));
    const session = new FollowSession(job, attempt, opts.fromSeq ?? 0, opts.owner, {
      request: async (owner, req) => decodeRangeReply(await this.#network.request(owner, logRangeProtocol, encodeRangeRequest(req), { timeoutMs: repairTimeoutMs }), this.#decompress),
      timing: this.#timing,
    });
    const key = logKey(job, attempt);
    let set = this.#sessions.get(key);
    if (set === undefined) this.#sessions.set(key, (set = new Set()));
    set.add(session);
    const onAbort = (): void => session.close();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) session.close();
    try {
      yield* session.run();
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      set.delete(session);
      if (set.size === 0 && this.#sessions.get(key) === set) this.#sessions.delete(key);
      if (this.#sessions.size === 0) {
        this.#unsubscribe?.();
        this.#unsubscribe = undefined;
      }
      opts.onStats?.(session.stats);
    }
  }

  #onGossip(from: string, bytes: Uint8Array): void {
    if (this.#sessions.size === 0) return;
    const head = peekLogMessage(bytes);
    if (head === null) {
      this.stats.malformed++;
      return;
    }
    const set = this.#sessions.get(logKey(head.job, head.attempt));
    if (set === undefined) return;
    let msg;
    try {
      msg = decodeLogMessage(bytes, this.#decompress);
    } catch {
      this.stats.malformed++;
      return;
    }
    for (const s of set) {
      if (msg.kind === 'chunks') s.onChunks(from, msg.chunks);
      else s.onEnd(from, msg.end);
    }
  }
}
