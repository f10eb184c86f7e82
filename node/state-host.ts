import {
  applyEntry, decodeState, emptyState, encodeState, type ClusterEvent, type ClusterState, type CommandResult, type Effect,
  type StartAttemptEffect, type StopAttemptEffect,
} from '../src/cluster/index.js';
import type { Entry, Snapshot } from '../src/raft/index.js';
import type { Store, StoreEffect, StoreEntry } from '../src/store/index.js';
import { decodeEnvelope } from './entry-envelope.js';
import { trace, tracing } from '../src/util/trace.js';

/** How long a proposer waits for its command to be applied before it gives up. */
export const applyWaitMsMax = 10_000;
/**
 * Entries handed to the git store and not yet written: past this many, applying waits for the
 * store (backpressure), so a slow disk cannot grow memory without bound.
 */
export const storeLagEntriesMax = 4096;

export interface StateHostInit {
  store: Store;
  /**
   * Entries at or below this index were committed before this process started: their
   * start-attempt effects are history, not orders (the cluster state marks those attempts lost
   * when this node rejoins with a new boot id).
   */
  replayedThrough: number;
  onStart(e: StartAttemptEffect): void;
  onStop(e: StopAttemptEffect): void;
  onEvent?(e: ClusterEvent): void;
}

interface Waiter {
  resolve(r: CommandResult): void;
  timer: NodeJS.Timeout;
}

/**
 * The replicated state on this node: applies committed entries to the cluster state machine,
 * hands their store effects to the git store (written behind, in order), hands this node's
 * start/stop effects to the job host, and answers proposers waiting for their command.
 */
export class StateHost {
  state: ClusterState = emptyState();
  private readonly init: StateHostInit;
  private readonly waiters = new Map<string, Waiter>();
  /** The last store write handed out (the store writes in call order, grouping calls that queue up). */
  private storeTail: Promise<void> = Promise.resolve();
  private storeLag = 0;
  private storeError: unknown = null;

  constructor(init: StateHostInit) {
    this.init = init;
  }

  /** Resolves with the command's result once it is applied here, or a timeout refusal. */
  waitFor(requestId: string, timeoutMs = applyWaitMsMax): Promise<CommandResult> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(requestId);
        resolve({ ok: false, code: 'NO_LEADER', message: `not applied within ${timeoutMs} ms (no leader reachable?)`, data: {} });
      }, timeoutMs);
      this.waiters.set(requestId, { resolve, timer });
    });
  }

  cancelWait(requestId: string): void {
    const w = this.waiters.get(requestId);
    if (w) {
      clearTimeout(w.timer);
      this.waiters.delete(requestId);
    }
  }

  /** Resolves once every history write handed to the store so far is durable (before it closes). */
  async flushed(): Promise<void> {
    await this.storeTail;
    if (this.storeError !== null) throw this.storeError;
  }

  /** Restores a snapshot's state machine (cluster state and git store). */
  async restore(snapshot: Snapshot): Promise<void> {
    const parts = splitSnapshotData(snapshot.data);
    if (parts === null) return; // The bootstrap snapshot: empty state.
    await this.flushed();
    this.state = decodeState(parts.state);
    await this.init.store.importSnapshot(parts.store);
  }

  /** Builds a snapshot's data from the current state (for log compaction). */
  async snapshotData(): Promise<Uint8Array> {
    const state = encodeState(this.state);
    await this.flushed();
    return joinSnapshotData(state, await this.init.store.exportSnapshot());
  }

  async apply(entries: Entry[], snapshot: Snapshot | null): Promise<void> {
    if (this.storeError !== null) throw this.storeError;
    if (snapshot !== null && snapshot.meta.index > this.state.appliedIndex) await this.restore(snapshot);
    const batch: StoreEntry[] = [];
    const orders: Array<() => void> = [];
    for (const entry of entries) {
      if (entry.type !== 'normal') continue;
      const env = decodeEnvelope(entry.data);
      if (env === null) continue;
      if (tracing) trace('apply', { index: entry.index, kind: (JSON.parse(new TextDecoder().decode(env.command)) as { kind: string }).kind });
      const out = applyEntry(this.state, env.command, { index: entry.index, term: entry.term, timeMs: env.timeMs });
      this.state = out.state;
      const storeEffects: StoreEffect[] = [];
      for (const eff of out.effects) this.route(eff, entry.index, storeEffects, orders);
      if (storeEffects.length > 0) batch.push({ index: entry.index, term: entry.term, timeMs: env.timeMs, effects: storeEffects });
      if (env.requestId !== null) {
        const w = this.waiters.get(env.requestId);
        if (w) {
          if (tracing) trace('applied-own', { requestId: env.requestId });
          clearTimeout(w.timer);
          this.waiters.delete(env.requestId);
          w.resolve(out.result);
        }
      }
    }
    // Orders and events go out before the history is written, and the next entries are applied
    // while it is: the log is the record (a crash replays it into the store, which skips what it
    // already holds), so no job waits for git.
    for (const o of orders) o();
    if (batch.length > 0) {
      this.storeLag += batch.length;
      this.storeTail = this.init.store.apply(batch).then(
        () => {
          this.storeLag -= batch.length;
        },
        (err: unknown) => {
          this.storeError ??= err;
        },
      );
      if (this.storeLag > storeLagEntriesMax) await this.flushed();
    }
  }

  private route(eff: Effect, index: number, storeEffects: StoreEffect[], orders: Array<() => void>): void {
    switch (eff.kind) {
      case 'start-attempt':
        if (index > this.init.replayedThrough) orders.push(() => this.init.onStart(eff));
        return;
      case 'stop-attempt':
        orders.push(() => this.init.onStop(eff));
        return;
      case 'event':
        if (index > this.init.replayedThrough) orders.push(() => this.init.onEvent?.(eff.event));
        return;
      case 'history': {
        const r = eff.record;
        storeEffects.push({
          kind: 'history',
          record: {
            jobId: r.job, runId: r.run, pipeline: r.pipeline, job: r.name, labels: r.labels, node: r.node, attempt: r.attempt,
            state: r.state, exitCode: r.exitCode, queuedAt: r.placedAtMs, startedAt: r.startedAtMs, finishedAt: r.finishedAtMs,
            logDigest: r.logDigest, logBytes: 0,
          },
        });
        return;
      }
      case 'config': {
        const c = eff.change;
        if (c.what === 'pipeline-added') {
          const p = c.pipeline;
          storeEffects.push({ kind: 'put-pipeline', name: p.name, content: p.text, ...(p.repo ? { repo: p.repo } : {}), ...(p.ref ? { ref: p.ref } : {}) });
        } else if (c.what === 'pipeline-removed') storeEffects.push({ kind: 'remove-pipeline', name: c.name });
        else storeEffects.push({ kind: 'put-config', key: c.key, value: c.value });
        return;
      }
    }
  }
}

/** Snapshot data: a 4-byte big-endian length, the cluster state, then the store's snapshot. */
function joinSnapshotData(state: Uint8Array, store: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + state.length + store.length);
  new DataView(out.buffer).setUint32(0, state.length);
  out.set(state, 4);
  out.set(store, 4 + state.length);
  return out;
}

function splitSnapshotData(data: Uint8Array): { state: Uint8Array; store: Uint8Array } | null {
  if (data.length < 4) return null;
  const n = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0);
  return { state: data.subarray(4, 4 + n), store: data.subarray(4 + n) };
}
