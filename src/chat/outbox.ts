import { lineBytesMax, outboxLinesMax, sendBurstLines, sendRefillMs } from './constants.js';
import { cleanLine, cutToBytes } from './text.js';
import { TokenBucket } from './token-bucket.js';
import type { Timers } from './types.js';

export interface OutboxInit {
  /** Delivers one line now. */
  send(target: string, line: string): void;
  /** Lines wait while the network is away (reconnecting, not yet in the channel). */
  isReady(): boolean;
  timers: Timers;
  burstLines?: number;
  refillMs?: number;
  linesMax?: number;
  lineBytesMax?: number;
}

export interface Outbox {
  /** Queues lines for a target; they go out in order, as fast as the bucket allows. */
  say(target: string, lines: readonly string[]): void;
  /** Tells the outbox the network is back: waiting lines may flow. */
  wake(): void;
  /** Lines waiting now. */
  pending(): number;
  /** Lines dropped because the queue was full. */
  dropped(): number;
  stop(): void;
}

/** A channel or nick: no spaces, commas or control characters, bounded length. */
const targetRe = /^[^\s,\x00-\x1f\x7f]{1,64}$/;

/**
 * Everything the bot says goes through here: one token bucket per connection (flood limits
 * are per connection, not per target), one FIFO, bounded. Lines are cleaned and cut to size
 * on the way in, so no adapter can be handed an unsafe or overlong line.
 */
export function createOutbox(init: OutboxInit): Outbox {
  const timers = init.timers;
  const bucket = new TokenBucket(init.burstLines ?? sendBurstLines, init.refillMs ?? sendRefillMs, timers.now());
  const linesMax = init.linesMax ?? outboxLinesMax;
  const bytesMax = init.lineBytesMax ?? lineBytesMax;
  const queue: Array<{ target: string; line: string }> = [];
  let droppedCount = 0;
  let timer: unknown = null;
  let stopped = false;

  function drain(): void {
    if (stopped) return;
    while (queue.length > 0 && init.isReady()) {
      const wait = bucket.msUntilToken(timers.now());
      if (wait > 0) {
        schedule(wait);
        return;
      }
      bucket.take(timers.now());
      const next = queue.shift()!;
      init.send(next.target, next.line);
    }
  }

  function schedule(ms: number): void {
    if (timer !== null) return;
    timer = timers.setTimeout(() => {
      timer = null;
      drain();
    }, ms);
  }

  return {
    say(target, lines) {
      if (stopped) return;
      // Targets come from config (the committer map) as well as the network: one with a space
      // or a control character would change the meaning of the line sent, so it gets nothing.
      if (!targetRe.test(target)) {
        droppedCount += lines.length;
        return;
      }
      for (const raw of lines) {
        const line = cutToBytes(cleanLine(raw), bytesMax);
        if (line === '') continue;
        if (queue.length >= linesMax) {
          droppedCount++;
          continue;
        }
        queue.push({ target, line });
      }
      drain();
    },
    wake: drain,
    pending: () => queue.length,
    dropped: () => droppedCount,
    stop() {
      stopped = true;
      queue.length = 0;
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
    },
  };
}
