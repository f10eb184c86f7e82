import type { Store } from '../../src/repl-client/index.js';

/** Resolves with the state once `pred` holds; rejects after `timeoutMs` with what was last seen. */
export function waitFor<T>(store: Store<T>, pred: (s: T) => boolean, timeoutMs = 5000, what = 'condition'): Promise<T> {
  return new Promise((resolve, reject) => {
    if (pred(store.get())) return resolve(store.get());
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last state: ${JSON.stringify(store.get()).slice(0, 2000)}`));
    }, timeoutMs);
    const unsubscribe = store.subscribe((s) => {
      if (!pred(s)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(s);
    });
  });
}
