import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createOutbox, KeyedBuckets, TokenBucket } from '../../src/chat/index.js';
import { sendBurstLines, sendRefillMs } from '../../src/chat/constants.js';
import { ManualTimers } from './manual-timers.js';

describe('TokenBucket', () => {
  it('allows a burst, then one per refill period', () => {
    const b = new TokenBucket(3, 1000, 0);
    expect([b.take(0), b.take(0), b.take(0), b.take(0)]).toEqual([true, true, true, false]);
    expect(b.msUntilToken(0)).toBe(1000);
    expect(b.take(999)).toBe(false);
    expect(b.take(1000)).toBe(true);
    expect(b.available(10_000)).toBe(3);
  });

  it('neither mints nor loses tokens when the clock steps back', () => {
    const b = new TokenBucket(2, 1000, 5000);
    b.take(5000);
    b.take(5000);
    expect(b.take(1000)).toBe(false);
    expect(b.take(6000)).toBe(true);
  });
});

describe('KeyedBuckets', () => {
  it('limits each user separately and forgets the least recently seen past its size', () => {
    const k = new KeyedBuckets(1, 1000, 2);
    expect(k.take('a', 0)).toBe(true);
    expect(k.take('a', 0)).toBe(false);
    expect(k.take('b', 0)).toBe(true);
    expect(k.take('c', 0)).toBe(true);
    expect(k.size).toBe(2);
    // "a" was forgotten: a fresh budget, which is the safe direction for a person.
    expect(k.take('a', 0)).toBe(true);
  });
});

describe('outbox', () => {
  function setup(ready = true) {
    const timers = new ManualTimers();
    const sent: Array<{ at: number; target: string; line: string }> = [];
    const state = { ready };
    const outbox = createOutbox({ send: (target, line) => sent.push({ at: timers.now(), target, line }), isReady: () => state.ready, timers, linesMax: 10, lineBytesMax: 20 });
    return { timers, sent, state, outbox };
  }

  it('sends a burst at once, then one line per refill period, in order', () => {
    const { timers, sent, outbox } = setup();
    outbox.say('#c', ['1', '2', '3', '4', '5', '6']);
    expect(sent.map((s) => s.line)).toEqual(['1', '2', '3', '4'].slice(0, sendBurstLines));
    timers.advance(sendRefillMs * 2);
    expect(sent.map((s) => s.line)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(sent.slice(sendBurstLines).map((s) => s.at)).toEqual([sendRefillMs, 2 * sendRefillMs]);
  });

  it('holds lines while the network is away and drops past its bound', () => {
    const { timers, sent, state, outbox } = setup(false);
    outbox.say('#c', Array.from({ length: 12 }, (_, i) => `line ${i}`));
    expect(sent).toEqual([]);
    expect(outbox.pending()).toBe(10);
    expect(outbox.dropped()).toBe(2);
    state.ready = true;
    outbox.wake();
    timers.advance(sendRefillMs * 10);
    expect(sent.map((s) => s.line)).toEqual(Array.from({ length: 10 }, (_, i) => `line ${i}`));
  });

  it('cleans lines and cuts them to size', () => {
    const { sent, outbox } = setup();
    outbox.say('nick', ['a\r\nPRIVMSG #x :pwned', '\x1b[31mred\x1b[0m \x03' + '4colour', 'ü'.repeat(30), '   ']);
    expect(sent.map((s) => s.line)).toEqual(['aPRIVMSG #x :pwned', 'red 4colour', 'ü'.repeat(8) + '…']);
    expect(sent.every((s) => Buffer.byteLength(s.line) <= 20)).toBe(true);
  });

  it('says nothing to a target that would change the meaning of the line', () => {
    const { sent, outbox } = setup();
    outbox.say('bob\r\nQUIT', ['hi']);
    outbox.say('bob #chan', ['hi']);
    outbox.say('', ['hi']);
    expect(sent).toEqual([]);
    expect(outbox.dropped()).toBe(3);
  });

  it('never exceeds the burst plus one line per refill period in any window (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ gap: fc.integer({ min: 0, max: 3 * sendRefillMs }), lines: fc.integer({ min: 0, max: 6 }) }), { maxLength: 40 }), (steps) => {
        const timers = new ManualTimers();
        const at: number[] = [];
        const outbox = createOutbox({ send: () => at.push(timers.now()), isReady: () => true, timers, linesMax: 1000 });
        let total = 0;
        for (const s of steps) {
          timers.advance(s.gap);
          outbox.say('#c', Array.from({ length: s.lines }, () => 'x'));
          total += s.lines;
        }
        timers.advance(sendRefillMs * (total + 1));
        expect(at.length).toBe(total);
        // Oracle: in every window [t, t + w], at most burst + floor(w / refill) lines.
        for (let i = 0; i < at.length; i++) {
          for (let j = i; j < at.length; j++) {
            expect(j - i + 1).toBeLessThanOrEqual(sendBurstLines + Math.floor((at[j]! - at[i]!) / sendRefillMs));
          }
        }
      }),
      { numRuns: 100 },
    );
  });
});
