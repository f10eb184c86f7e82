import type { LogChunk, LogEnd, SeqRange } from './chunk.js';
import { gapRangesMax, reassemblyBytesMax as defaultBytesMax, reassemblyChunksMax as defaultChunksMax } from './constants.js';

export interface ReassemblerInit {
  job: string;
  attempt: number;
  /** The first chunk wanted (a follower resuming from a sequence); default 0. */
  fromSeq?: number;
  /** Out-of-order chunks held at most (defaults in constants.ts). */
  chunksMax?: number;
  bytesMax?: number;
}

/** Counters a follower reports and tests check. */
export interface ReassemblerStats {
  accepted: number;
  /** Chunks already delivered or already held. */
  duplicates: number;
  /** Chunks let go because the out-of-order window was full: they come back as gaps. */
  evicted: number;
  /** Chunks or end markers that contradict what was already seen (offsets, sizes, digests). */
  conflicts: number;
}

/**
 * Puts one attempt's chunks back in order. Chunks may come in any order, twice, or never:
 * `accept` returns the chunks that are now deliverable, strictly by sequence with no gap and
 * no duplicate, and `gaps()` names the sequence ranges known to exist but not received, so
 * the caller can fetch them from the owner. The log is complete (`done`) once the end marker
 * is known and every chunk before it has been delivered.
 */
export class Reassembler {
  readonly job: string;
  readonly attempt: number;
  readonly stats: ReassemblerStats = { accepted: 0, duplicates: 0, evicted: 0, conflicts: 0 };
  readonly #chunksMax: number;
  readonly #bytesMax: number;
  readonly #pending = new Map<number, LogChunk>();
  #pendingBytes = 0;
  #next: number;
  /** Byte offset of chunk `#next`; unknown when resuming mid-log until that chunk arrives. */
  #nextOffset: number | null;
  /** One past the highest sequence known to exist (seen, reported by the owner, or ended). */
  #horizon: number;
  #end: LogEnd | null = null;

  constructor(init: ReassemblerInit) {
    this.job = init.job;
    this.attempt = init.attempt;
    this.#next = init.fromSeq ?? 0;
    this.#nextOffset = this.#next === 0 ? 0 : null;
    this.#horizon = this.#next;
    this.#chunksMax = init.chunksMax ?? defaultChunksMax;
    this.#bytesMax = init.bytesMax ?? defaultBytesMax;
  }

  /** The next sequence to deliver. */
  get nextSeq(): number {
    return this.#next;
  }

  /** Byte offset of the next chunk, when known. */
  get nextOffset(): number | null {
    return this.#nextOffset;
  }

  get end(): LogEnd | null {
    return this.#end;
  }

  /** The end marker is known and every chunk before it has been delivered. */
  get done(): boolean {
    return this.#end !== null && this.#next >= this.#end.seqEnd;
  }

  get pendingChunks(): number {
    return this.#pending.size;
  }

  /** One past the highest sequence known to exist. */
  get horizon(): number {
    return this.#horizon;
  }

  /** Takes one chunk; returns the chunks now deliverable, in order. */
  accept(chunk: LogChunk): LogChunk[] {
    if (chunk.seq < this.#next || this.#pending.has(chunk.seq)) {
      this.stats.duplicates++;
      return [];
    }
    if (this.#end !== null && (chunk.seq >= this.#end.seqEnd || chunk.offset + chunk.data.byteLength > this.#end.bytes)) {
      this.stats.conflicts++;
      return [];
    }
    this.stats.accepted++;
    this.#horizon = Math.max(this.#horizon, chunk.seq + 1);
    if (chunk.seq !== this.#next) {
      this.#hold(chunk);
      return [];
    }
    const out: LogChunk[] = [];
    if (!this.#deliver(chunk, out)) return out;
    for (let c = this.#take(this.#next); c !== undefined; c = this.#take(this.#next)) {
      if (!this.#deliver(c, out)) break;
    }
    return out;
  }

  /** Takes the end marker (from gossip or from the owner). A different second marker is a conflict and ignored. */
  acceptEnd(end: LogEnd): void {
    if (this.#end !== null) {
      if (this.#end.seqEnd !== end.seqEnd || this.#end.bytes !== end.bytes || this.#end.sha256 !== end.sha256) this.stats.conflicts++;
      return;
    }
    this.#end = end;
    this.#horizon = Math.max(this.#horizon, end.seqEnd);
    for (const [seq, c] of this.#pending) {
      if (seq >= end.seqEnd) {
        this.#pending.delete(seq);
        this.#pendingBytes -= c.data.byteLength;
        this.stats.conflicts++;
      }
    }
  }

  /** The owner reports having chunks up to `tipSeq` (excluded): everything below it is due. */
  noteTip(tipSeq: number): void {
    this.#horizon = Math.max(this.#horizon, this.#end === null ? tipSeq : Math.min(tipSeq, this.#end.seqEnd));
  }

  /** Missing ranges between the cursor and the horizon, nearest first, at most `max` of them. */
  gaps(max = gapRangesMax): SeqRange[] {
    const out: SeqRange[] = [];
    if (this.#next >= this.#horizon) return out;
    const held = [...this.#pending.keys()].sort((a, b) => a - b);
    let from = this.#next;
    for (const seq of held) {
      if (seq > from) out.push({ from, to: seq });
      from = seq + 1;
      if (out.length >= max) return out;
    }
    if (from < this.#horizon) out.push({ from, to: this.#horizon });
    return out.slice(0, max);
  }

  /** Delivers chunk `#next`, unless its offset contradicts the bytes delivered before it. */
  #deliver(chunk: LogChunk, out: LogChunk[]): boolean {
    if (this.#nextOffset !== null && chunk.offset !== this.#nextOffset) {
      this.stats.conflicts++;
      return false;
    }
    out.push(chunk);
    this.#next = chunk.seq + 1;
    this.#nextOffset = chunk.offset + chunk.data.byteLength;
    return true;
  }

  #take(seq: number): LogChunk | undefined {
    const c = this.#pending.get(seq);
    if (c !== undefined) {
      this.#pending.delete(seq);
      this.#pendingBytes -= c.data.byteLength;
    }
    return c;
  }

  /** Holds an early chunk; when the window is full, the chunk furthest ahead goes (it will be a gap). */
  #hold(chunk: LogChunk): void {
    this.#pending.set(chunk.seq, chunk);
    this.#pendingBytes += chunk.data.byteLength;
    while (this.#pending.size > this.#chunksMax || this.#pendingBytes > this.#bytesMax) {
      let far = -1;
      for (const seq of this.#pending.keys()) if (seq > far) far = seq;
      this.#take(far);
      this.stats.evicted++;
    }
  }
}
