/**
 * A level-triggered wake-up: `wait()` resolves at the next `notify()`. Waiters take the
 * promise before checking their condition, so a notify between the check and the wait is
 * never lost.
 */
export class Signal {
  #waiting: { promise: Promise<void>; resolve: () => void } | null = null;

  wait(): Promise<void> {
    if (this.#waiting === null) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      this.#waiting = { promise, resolve };
    }
    return this.#waiting.promise;
  }

  /** Wakes the current waiters; costs nothing when there are none (it runs per write). */
  notify(): void {
    const w = this.#waiting;
    this.#waiting = null;
    w?.resolve();
  }
}

/** Resolves after `ms`, or at once when `signal` aborts; the timer never outlives the wait. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
