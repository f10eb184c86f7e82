/**
 * One simulated node: a Raft core, its durable storage (MemoryStorage stands in for the disk:
 * what is in it survives a crash, nothing else does), and the key-value state machine. It
 * handles each Ready in the documented order — persist, send, apply, advance — and can crash
 * between any two steps (or halfway through persisting), losing whatever was not yet durable.
 */
import { createRaft, MemoryStorage, type Entry, type Message, type RaftConfig, type RaftNode, type ReadState, type Ready } from '../raft/index.js';
import type { Checkers } from './checkers.js';
import { decodeCommand, KvStore, type KvCommand, type KvResult } from './kv.js';
import type { Prng } from './prng.js';

export type CrashPoint = 'before-persist' | 'mid-persist' | 'after-persist' | 'mid-send' | 'after-send' | 'after-apply';

export const crashPoints: readonly CrashPoint[] = ['before-persist', 'mid-persist', 'after-persist', 'mid-send', 'after-send', 'after-apply'];

export interface NodeHooks {
  checkers: Checkers;
  send(m: Message): void;
  /** A command was applied on `node` with this result (null: stale, no effect). */
  applied(node: SimNode, cmd: KvCommand, result: KvResult | null): void;
  /** A read-index confirmation arrived on `node`. */
  readState(node: SimNode, rs: ReadState): void;
  /** The node's applied index advanced (pending reads may now be served). */
  appliedTo(node: SimNode): void;
  /** The node crashed (its client operations are abandoned). */
  crashed(node: SimNode): void;
  /** Any entry was applied (test harnesses record what each node applied). */
  entryApplied(node: SimNode, e: Entry): void;
  /** A snapshot was restored into the state machine. */
  snapshotRestored(node: SimNode, index: number): void;
  /** The node took a snapshot of its state machine and compacted its log. */
  compacted(node: SimNode, index: number): void;
}

export type RaftTuning = Partial<Omit<RaftConfig, 'id' | 'storage' | 'random'>>;

export class SimNode {
  raft: RaftNode | null = null;
  kv: KvStore = new KvStore();
  appliedIndex = 0;
  restarts = 0;
  /** Entries compacted beyond the snapshot threshold trigger a snapshot of the state machine. */
  snapshotEveryEntries = Infinity;
  private prevCommit = 0;

  constructor(
    readonly id: string,
    readonly storage: MemoryStorage,
    private readonly rng: Prng,
    private readonly tuning: RaftTuning,
    private readonly hooks: NodeHooks,
  ) {}

  get up(): boolean {
    return this.raft !== null;
  }

  /** (Re)starts from durable state: the snapshot restores the state machine, the log replays. */
  start(): void {
    const snap = this.storage.snapshot();
    this.kv = KvStore.restore(snap.data);
    this.appliedIndex = snap.meta.index;
    this.prevCommit = this.storage.hardState().commit;
    this.hooks.checkers.onRestart(this.id, this.appliedIndex);
    this.raft = createRaft({ ...this.tuning, id: this.id, storage: this.storage, random: this.rng.fork() });
  }

  crash(): void {
    if (this.raft === null) return;
    this.raft = null;
    this.restarts++;
    this.hooks.crashed(this);
  }

  /** Handles every pending Ready; `crashAt` may pick a point of one at which to crash. */
  processReadies(crashAt: (rd: Ready) => CrashPoint | null = () => null): void {
    while (this.raft !== null && this.raft.hasReady()) {
      const rd = this.raft.ready();
      this.handleReady(this.raft, rd, crashAt(rd));
    }
  }

  private handleReady(raft: RaftNode, rd: Ready, crashAt: CrashPoint | null): void {
    const checkers = this.hooks.checkers;
    const status = raft.basicStatus();
    // 1. Persist: snapshot, entries, then hard state.
    if (crashAt === 'before-persist') return this.crash();
    if (rd.snapshot !== null) this.storage.applySnapshot(rd.snapshot);
    let entries = rd.entries;
    if (crashAt === 'mid-persist') entries = entries.slice(0, this.rng.int(entries.length + 1));
    if (entries.length > 0) {
      this.storage.append(entries);
      for (const e of entries) checkers.onPersist(this.id, e, this.storage.term(e.index - 1));
    }
    if (crashAt === 'mid-persist') return this.crash();
    if (rd.hardState !== null) {
      this.storage.setHardState(rd.hardState);
      checkers.onHardState(this.id, rd.hardState);
    }
    if (rd.softState?.role === 'leader') {
      checkers.onLeader(this.id, status.term, this.storage.firstIndex(), (i) => this.storage.term(i), this.storage.lastIndex());
    }
    if (rd.hardState !== null && status.role === 'leader' && rd.hardState.commit > this.prevCommit) {
      checkers.onLeaderCommit(status.term, this.prevCommit, rd.hardState.commit, (i) => this.storage.term(i));
    }
    if (rd.hardState !== null) this.prevCommit = rd.hardState.commit;
    if (crashAt === 'after-persist') return this.crash();
    // 2. Send.
    const sendCount = crashAt === 'mid-send' ? this.rng.int(rd.messages.length + 1) : rd.messages.length;
    for (let i = 0; i < sendCount; i++) this.hooks.send(rd.messages[i]!);
    if (crashAt === 'mid-send' || crashAt === 'after-send') return this.crash();
    // 3. Apply.
    if (rd.snapshot !== null) {
      checkers.onSnapshot(this.id, rd.snapshot);
      this.kv = KvStore.restore(rd.snapshot.data);
      this.appliedIndex = rd.snapshot.meta.index;
      this.hooks.snapshotRestored(this, this.appliedIndex);
    }
    for (const e of rd.committedEntries) this.apply(e);
    for (const rs of rd.readStates) this.hooks.readState(this, rs);
    if (crashAt === 'after-apply') return this.crash();
    // 4. Advance.
    raft.advance();
    this.hooks.appliedTo(this);
    this.maybeCompact(raft);
  }

  private apply(e: Entry): void {
    this.hooks.checkers.onApply(this.id, e);
    this.appliedIndex = e.index;
    this.hooks.entryApplied(this, e);
    if (e.type !== 'normal' || e.data.length === 0) return;
    const cmd = decodeCommand(e.data);
    if (cmd === null) return;
    this.hooks.applied(this, cmd, this.kv.apply(cmd));
  }

  /** Snapshots the state machine and compacts the log once it grows past the threshold. */
  private maybeCompact(raft: RaftNode): void {
    const first = this.storage.firstIndex();
    if (this.appliedIndex - first + 1 < this.snapshotEveryEntries) return;
    if (this.appliedIndex > this.storage.lastIndex()) return;
    this.storage.createSnapshot(this.appliedIndex, raft.status().conf, this.kv.snapshot());
    // Keep a few entries so a slightly lagging follower still gets appends, not a snapshot.
    const keep = this.rng.int(4);
    this.storage.compact(Math.max(first - 1, this.appliedIndex - keep));
    this.hooks.compacted(this, this.appliedIndex);
  }
}

export function newStorage(voters: string[] | null): MemoryStorage {
  return voters === null ? new MemoryStorage() : MemoryStorage.bootstrap({ voters, learners: [] });
}
