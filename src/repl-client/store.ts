/** A listener is told the new state after every update. */
export type Listener<T> = (state: T) => void;

/**
 * A plain-object store: `get`, `update` and `subscribe`. Updates replace the state with a new
 * object (never mutate it), so a renderer can compare by reference.
 */
export interface Store<T> {
  get(): T;
  /** Replaces the state with `fn(current)` and tells the listeners. */
  update(fn: (state: T) => T): void;
  /** Returns the function that unsubscribes. */
  subscribe(listener: Listener<T>): () => void;
}

/** Creates a store holding `initial`. */
export function createStore<T>(initial: T): Store<T> {
  let state = initial;
  const listeners = new Set<Listener<T>>();
  return {
    get: () => state,
    update(fn) {
      const next = fn(state);
      if (next === state) return;
      state = next;
      // A listener may unsubscribe while we notify: iterate over a copy.
      for (const l of [...listeners]) l(state);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Keeps the last `max` items of a list (the newest are at the end). */
export function keepLast<T>(items: readonly T[], max: number): T[] {
  return items.length <= max ? [...items] : items.slice(items.length - max);
}
