import type { Network } from '../src/net/index.js';
import {
  createRaft, decodeMessage, encodeMessage, type Entry, type MemoryStorage, type ProposeResult, type RaftNode, type Ready,
  type Snapshot, type SoftState,
} from '../src/raft/index.js';
import type { Wal } from '../src/wal/index.js';

/**
 * Raft timing of a node. A tick is 50 ms: heartbeats every 2 ticks (100 ms, as etcd), an
 * election timeout of 20–40 ticks (1–2 s, as etcd's default), and, when the leader's
 * connection drops, a pre-vote after at most 3 ticks (the core's fast-failover input).
 */
export const tickMs = 50;
export const heartbeatIntervalTicks = 2;
export const electionTimeoutTicks = 20;

export interface RaftHostInit {
  id: string;
  storage: MemoryStorage;
  wal: Wal;
  net: Network;
  applied: number;
  random: { int(n: number): number };
  /** Applies committed entries (and a snapshot from the leader, first) in log order. */
  apply(entries: Entry[], snapshot: Snapshot | null): Promise<void>;
  onSoftState?(s: SoftState): void;
  onError(err: unknown): void;
}

/**
 * Drives the pure Raft core with real I/O, in the order the core's Ready contract demands:
 * persist (WAL, fsync), then send, then apply, then advance. One Ready is in flight at a time.
 */
export class RaftHost {
  readonly raft: RaftNode;
  private readonly init: RaftHostInit;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private again = false;
  private stopped = false;
  private readonly unsubs: Array<() => void> = [];

  constructor(init: RaftHostInit) {
    this.init = init;
    this.raft = createRaft({
      id: init.id,
      storage: init.storage,
      random: init.random,
      applied: init.applied,
      electionTimeoutTicks,
      heartbeatIntervalTicks,
    });
  }

  start(): void {
    const { net } = this.init;
    net.onRaftMessage((_from, bytes) => {
      if (this.stopped) return;
      try {
        this.raft.step(decodeMessage(bytes));
      } catch (err) {
        this.init.onError(err);
        return;
      }
      this.kick();
    });
    this.unsubs.push(
      net.onPeerDisconnected((peer) => {
        if (this.stopped) return;
        this.raft.peerDisconnected(peer);
        this.kick();
      }),
    );
    this.timer = setInterval(() => {
      this.raft.tick();
      this.kick();
    }, tickMs);
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const u of this.unsubs) u();
  }

  propose(data: Uint8Array): ProposeResult {
    const r = this.raft.propose(data);
    this.kick();
    return r;
  }

  /** Runs the Ready loop unless it already runs; then it goes round once more. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.loop().finally(() => {
      this.running = false;
    });
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      while (!this.stopped && this.raft.hasReady()) {
        try {
          await this.handle(this.raft.ready());
        } catch (err) {
          this.init.onError(err);
          return;
        }
      }
    } while (this.again && !this.stopped);
  }

  private async handle(rd: Ready): Promise<void> {
    const { wal, storage, net } = this.init;
    if (rd.softState) this.init.onSoftState?.(rd.softState);
    // 1. Persist: nothing below may promise what is not on disk.
    await wal.save(rd.hardState, rd.entries, rd.snapshot, { sync: rd.mustSync });
    if (rd.snapshot !== null) storage.applySnapshot(rd.snapshot);
    storage.append(rd.entries);
    if (rd.hardState !== null) storage.setHardState(rd.hardState);
    // 2. Send.
    for (const m of rd.messages) {
      const ok = net.sendRaft(m.to, encodeMessage(m));
      if (!ok) this.raft.reportUnreachable(m.to);
      if (m.type === 'snap') this.raft.reportSnapshot(m.to, ok);
    }
    // 3. Apply.
    if (rd.snapshot !== null || rd.committedEntries.length > 0) await this.init.apply(rd.committedEntries, rd.snapshot);
    // 4. Advance.
    this.raft.advance();
  }
}
