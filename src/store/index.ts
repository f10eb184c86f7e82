/**
 * The git-backed store (src/store): each node applies the committed log to its own bare git
 * repository, holding config and the history of every job attempt; every node's HEAD is the
 * same after the same committed index (the commit rule is in store.ts). Anyone can
 * `git clone` the repository.
 */
export { openStore, type StoreInit } from './store.js';
export { validateEffect } from './effects.js';
export type {
  AttemptState, HistoryQuery, HistoryRecord, PipelineRecord, Store, StoreEffect, StoreEntry, StoreStats,
} from './types.js';
