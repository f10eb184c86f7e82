/**
 * A level-triggered wake-up: `wait()` resolves at the next `notify()`. Waiters take the
 * promise before checking their condition, so a notify between the check and the wait is
 * never lost.
 */
export class Signal {
  #resolve!: () => void;
  #promise: Promise<void>;

  constructor() {
    this.#promise = this.#fresh();
  }

  wait(): Promise<void> {
    return this.#promise;
  }

  notify(): void {
    const resolve = this.#resolve;
    this.#promise = this.#fresh();
    resolve();
  }

  #fresh(): Promise<void> {
    return new Promise<void>((r) => {
      this.#resolve = r;
    });
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
