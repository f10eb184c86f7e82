import { createHash, type Hash } from 'node:crypto';
import { Reassembler, rangeReplyRawBytesMax, type LogChunk, type LogEnd, type RangeReply, type RangeRequest } from '../logs/index.js';
import { CairnError } from '../util/errors.js';
import {
  followQueueBytesMax,
  followerProbeMaxMs,
  followerProbeMs,
  gapRepairDelayMs,
  repairBackoffMaxMs,
  repairBackoffMinMs,
  repairFailuresMax,
} from './constants.js';
import { Signal, sleep } from '../util/signal.js';

/** Timing of a follow; defaults in constants.ts (tests shorten them). */
export interface FollowTiming {
  gapRepairDelayMs: number;
  followerProbeMs: number;
  followerProbeMaxMs: number;
  repairFailuresMax: number;
  repairBackoffMinMs: number;
  repairBackoffMaxMs: number;
  followQueueBytesMax: number;
}

export const defaultFollowTiming: FollowTiming = {
  gapRepairDelayMs,
  followerProbeMs,
  followerProbeMaxMs,
  repairFailuresMax,
  repairBackoffMinMs,
  repairBackoffMaxMs,
  followQueueBytesMax,
};

/** Counters of one follow, for tests and logs. */
export interface FollowStats {
  gossipChunks: number;
  repairRequests: number;
  repairedChunks: number;
  repairFailures: number;
}

export interface SessionDeps {
  /** Sends a `log-range` request to the owner. */
  request(owner: string, req: RangeRequest): Promise<RangeReply>;
  timing: FollowTiming;
}

/**
 * One follow of one attempt on a node that does not own it. Gossip feeds a Reassembler; a
 * repair loop fetches from the owner's file whatever gossip did not bring: first the catch-up
 * from `fromSeq`, then each gap once it has been missing for `gapRepairDelayMs`, and, when
 * nothing arrives for a while, the tail and end marker (a probe). The reader gets the chunks
 * strictly in order; the follow ends after the last chunk, once the copy is proven identical
 * to the owner's file (SHA-256 from the end marker, or the byte count when resumed mid-log).
 */
export class FollowSession {
  readonly job: string;
  readonly attempt: number;
  readonly stats: FollowStats = { gossipChunks: 0, repairRequests: 0, repairedChunks: 0, repairFailures: 0 };
  readonly #r: Reassembler;
  readonly #deps: SessionDeps;
  readonly #t: FollowTiming;
  readonly #fromStart: boolean;
  readonly #hash: Hash | null;
  readonly #queue: LogChunk[] = [];
  #queuedBytes = 0;
  #owner: string | undefined;
  #error: unknown = null;
  #closed = false;
  readonly #closedCtl = new AbortController();
  /** Wakes the reader (chunks queued, done, error). */
  readonly #readerWake = new Signal();
  /** Wakes the repair loop (a message arrived, the reader drained, closed). */
  readonly #loopWake = new Signal();
  #gapSinceMs: number | undefined;
  #lastActivityMs = performance.now();
  #probeMs: number;

  constructor(job: string, attempt: number, fromSeq: number, owner: string | undefined, deps: SessionDeps) {
    this.job = job;
    this.attempt = attempt;
    this.#r = new Reassembler({ job, attempt, fromSeq });
    this.#deps = deps;
    this.#t = deps.timing;
    this.#owner = owner;
    this.#fromStart = fromSeq === 0;
    this.#hash = this.#fromStart ? createHash('sha256') : null;
    this.#probeMs = this.#t.followerProbeMs;
  }

  get owner(): string | undefined {
    return this.#owner;
  }

  /** Gossiped chunks from `from` (only the owner's are taken). */
  onChunks(from: string, chunks: readonly LogChunk[]): void {
    if (!this.#fromOwner(from) || this.#closed) return;
    this.stats.gossipChunks += chunks.length;
    if (this.#queuedBytes >= this.#t.followQueueBytesMax) {
      // The reader is slow: remember how far the log goes, fetch the chunks when it catches up.
      const last = chunks[chunks.length - 1];
      if (last !== undefined) this.#r.noteTip(last.seq + 1);
    } else {
      for (const c of chunks) this.#deliver(this.#r.accept(c));
    }
    this.#loopWake.notify();
  }

  onEnd(from: string, end: LogEnd): void {
    if (!this.#fromOwner(from) || this.#closed) return;
    this.#r.acceptEnd(end);
    this.#readerWake.notify();
    this.#loopWake.notify();
  }

  /** Ends the follow: the reader stops, with `err` if given. */
  close(err?: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    if (err !== undefined && this.#error === null) this.#error = err;
    this.#closedCtl.abort();
    this.#readerWake.notify();
    this.#loopWake.notify();
  }

  /** The chunks, in order, until the end (or close). */
  async *run(): AsyncGenerator<LogChunk> {
    // The loop ends by itself once closed; a request in flight finishes (or times out) unawaited.
    void this.#repairLoop().catch((err: unknown) => this.close(err));
    try {
      for (;;) {
        const wake = this.#readerWake.wait();
        const c = this.#queue.shift();
        if (c !== undefined) {
          this.#queuedBytes -= c.data.byteLength;
          if (this.#queuedBytes < this.#t.followQueueBytesMax) this.#loopWake.notify();
          yield c;
          continue;
        }
        if (this.#error !== null) throw this.#error;
        if (this.#r.done) {
          this.#verify(this.#r.end!);
          return;
        }
        if (this.#closed) return;
        await wake;
      }
    } finally {
      this.close();
    }
  }

  #fromOwner(from: string): boolean {
    if (this.#owner === undefined) this.#owner = from;
    return from === this.#owner;
  }

  #deliver(chunks: readonly LogChunk[]): void {
    if (chunks.length === 0) return;
    for (const c of chunks) {
      this.#hash?.update(c.data);
      this.#queue.push(c);
      this.#queuedBytes += c.data.byteLength;
    }
    this.#lastActivityMs = performance.now();
    this.#probeMs = this.#t.followerProbeMs;
    this.#readerWake.notify();
  }

  #verify(end: LogEnd): void {
    const bytes = this.#r.nextOffset;
    const digest = this.#hash?.digest('hex');
    if (bytes !== end.bytes || (digest !== undefined && digest !== end.sha256)) {
      throw new CairnError('STORAGE_CORRUPT', `the copy of ${this.job} attempt ${this.attempt} differs from the owner's log`, {
        job: this.job,
        attempt: this.attempt,
        bytes,
        expectedBytes: end.bytes,
        ...(digest === undefined ? {} : { sha256: digest, expectedSha256: end.sha256 }),
      });
    }
  }

  /** Fetches from the owner what gossip has not brought; see the class comment. */
  async #repairLoop(): Promise<void> {
    let failures = 0;
    let now = true; // the catch-up from fromSeq starts at once
    while (!this.#closed && !this.#r.done) {
      const wake = this.#loopWake.wait();
      if (!now) {
        const waitMs = this.#repairDueInMs();
        if (waitMs > 0) {
          await Promise.race([sleep(waitMs, this.#closedCtl.signal), wake]);
          continue;
        }
      }
      now = false;
      const owner = this.#owner;
      if (owner === undefined || this.#queuedBytes >= this.#t.followQueueBytesMax) {
        await wake; // the first gossip message names the owner; the reader draining frees room
        continue;
      }
      const gap = this.#r.gaps(1)[0];
      const range = gap ?? { from: this.#r.nextSeq, to: Number.MAX_SAFE_INTEGER };
      let reply: RangeReply;
      try {
        this.stats.repairRequests++;
        reply = await this.#deps.request(owner, {
          job: this.job,
          attempt: this.attempt,
          fromSeq: range.from,
          toSeq: range.to,
          rawBytesMax: rangeReplyRawBytesMax,
        });
        failures = 0;
      } catch (err) {
        this.stats.repairFailures++;
        // NOT_FOUND is retried too: a follow may start before the owner opens the attempt's log.
        if (++failures >= this.#t.repairFailuresMax) throw err;
        await sleep(Math.min(this.#t.repairBackoffMinMs * 2 ** (failures - 1), this.#t.repairBackoffMaxMs), this.#closedCtl.signal);
        now = true;
        continue;
      }
      if (this.#closed) return;
      const before = this.#r.nextSeq;
      this.#r.noteTip(reply.tipSeq);
      if (reply.end !== null) this.#r.acceptEnd(reply.end);
      for (const c of reply.chunks) this.#deliver(this.#r.accept(c));
      this.stats.repairedChunks += reply.chunks.length;
      this.#readerWake.notify();
      if (this.#r.nextSeq > before) {
        // More may be waiting (a catch-up larger than one reply): ask again at once.
        now = this.#r.gaps(1).length > 0;
      } else if (reply.chunks.some((c) => c.seq === before)) {
        // The owner's own chunk contradicts what it sent before (offsets, its end marker).
        throw new CairnError('STORAGE_CORRUPT', `the owner's log of ${this.job} attempt ${this.attempt} contradicts itself at chunk ${before}`, {
          job: this.job,
          attempt: this.attempt,
          seq: before,
        });
      } else {
        this.#lastActivityMs = performance.now();
        this.#probeMs = Math.min(this.#probeMs * 2, this.#t.followerProbeMaxMs);
      }
    }
  }

  /** How long until the next request is due: a gap's grace period, or the idle probe. */
  #repairDueInMs(): number {
    const t = performance.now();
    if (this.#r.gaps(1).length > 0) {
      this.#gapSinceMs ??= t;
      return this.#gapSinceMs + this.#t.gapRepairDelayMs - t;
    }
    this.#gapSinceMs = undefined;
    return this.#lastActivityMs + this.#probeMs - t;
  }
}
