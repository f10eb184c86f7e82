import type { Timers } from '../../src/chat/index.js';

/** Timers driven by the test: `advance(ms)` moves the clock and fires what falls due, in order. */
export class ManualTimers implements Timers {
  private t = 0;
  private seq = 0;
  private pending: Array<{ at: number; seq: number; fn: () => void }> = [];

  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const entry = { at: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.pending.push(entry);
    return entry;
  }
  clearTimeout(handle: unknown): void {
    this.pending = this.pending.filter((p) => p !== handle);
  }
  advance(ms: number): void {
    const until = this.t + ms;
    for (;;) {
      const due = this.pending.filter((p) => p.at <= until).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (due === undefined) break;
      this.pending = this.pending.filter((p) => p !== due);
      this.t = due.at;
      due.fn();
    }
    this.t = until;
  }
  get scheduled(): number {
    return this.pending.length;
  }
}
