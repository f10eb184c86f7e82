import { assert } from '../util/errors.js';

/**
 * A token bucket: up to `capacity` actions back to back, then one per `refillMs`. Time is
 * passed in, so the bucket is deterministic and tests need no clock.
 */
export class TokenBucket {
  private tokens: number;
  private updatedMs: number;

  constructor(
    readonly capacity: number,
    readonly refillMs: number,
    nowMs: number,
  ) {
    assert(Number.isInteger(capacity) && capacity >= 1, 'bucket capacity must be a whole number >= 1');
    assert(refillMs > 0, 'bucket refill time must be positive');
    this.tokens = capacity;
    this.updatedMs = nowMs;
  }

  /** Takes one token if there is one. */
  take(nowMs: number): boolean {
    this.refill(nowMs);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until `take` would succeed (0 if it would now). */
  msUntilToken(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) * this.refillMs);
  }

  /** Whole tokens available now. */
  available(nowMs: number): number {
    this.refill(nowMs);
    return Math.floor(this.tokens);
  }

  private refill(nowMs: number): void {
    // A clock that steps back (NTP) must not mint or destroy tokens.
    const elapsed = Math.max(0, nowMs - this.updatedMs);
    this.tokens = Math.min(this.capacity, this.tokens + elapsed / this.refillMs);
    this.updatedMs = Math.max(this.updatedMs, nowMs);
  }
}

/**
 * One bucket per key (a user), remembering at most `keysMax` keys: the least recently used
 * key is forgotten, which at worst gives that user a fresh budget.
 */
export class KeyedBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly capacity: number,
    private readonly refillMs: number,
    private readonly keysMax: number,
  ) {
    assert(keysMax >= 1, 'keysMax must be >= 1');
  }

  take(key: string, nowMs: number): boolean {
    let b = this.buckets.get(key);
    if (b === undefined) {
      b = new TokenBucket(this.capacity, this.refillMs, nowMs);
      if (this.buckets.size >= this.keysMax) {
        const oldest = this.buckets.keys().next();
        if (!oldest.done) this.buckets.delete(oldest.value);
      }
    } else {
      this.buckets.delete(key);
    }
    this.buckets.set(key, b);
    return b.take(nowMs);
  }

  get size(): number {
    return this.buckets.size;
  }
}
