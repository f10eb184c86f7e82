import type { Network } from '../src/net/index.js';
import {
  createRaft, decodeMessage, encodeMessage, type Entry, type MemoryStorage, type Message, type ProposeResult, type RaftNode, type Ready,
  type Snapshot, type SoftState,
} from '../src/raft/index.js';
import type { Wal } from '../src/wal/index.js';
import { trace, tracing } from '../src/util/trace.js';

/**
 * Raft timing of a node. A tick is 50 ms: heartbeats every 5 ticks (250 ms), an election
 * timeout of 20–40 ticks (1–2 s, as etcd's default), and, when the leader's connection drops,
 * a pre-vote after at most 3 ticks (the core's fast-failover input).
 *
 * etcd sends heartbeats every 100 ms; ours are rarer because a crashed leader is found by its
 * closed connection, not by missed heartbeats, and a commit advance is sent at once rather than
 * with the next heartbeat. A timeout still spans 4–8 heartbeats. Heartbeats and their answers
 * were most of an idle cluster's messages: at 250 ms the leader scavenges 37 % less often (400 →
 * 250 minor GCs in 120 s idle) and uses 2.5–2.7 % of a core instead of 3.3–3.7 % (bench (d)).
 */
export const tickMs = 50;
/**
 * Committed entries handed to the state machine but not yet applied: past this many, the Ready
 * loop waits for the apply queue (backpressure), so a slow store cannot grow memory unbounded.
 */
export const applyQueueEntriesMax = 4096;
export const heartbeatIntervalTicks = 5;
export const electionTimeoutTicks = 20;
/**
 * Log compaction, as etcd does it: after this many entries applied since the last snapshot, the
 * node snapshots its state machine (cluster state and git store) and drops the log below it,
 * keeping `snapshotCatchUpEntries` so a follower a little behind still catches up from entries
 * rather than a whole snapshot. etcd's defaults are 10,000 and 5,000; ours are smaller because
 * a job is several entries and the snapshot of an idle cluster is small.
 * CAIRN_SNAPSHOT_ENTRIES overrides the first (tests use a small number to exercise it).
 */
export const snapshotEveryEntries = 10_000;
export const snapshotCatchUpEntries = 2_000;

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
  /**
   * The state machine's snapshot bytes as of everything applied so far (read synchronously
   * when called; the promise may settle later). Without it the log is never compacted.
   */
  snapshotData?(): Promise<Uint8Array>;
  /** Told of a snapshot received from the leader (this node was too far behind for entries). */
  onSnapshotReceived?(info: { index: number; bytes: number }): void;
  /** Told of each snapshot taken and the log compacted below it. */
  onSnapshot?(info: { index: number; bytes: number; compactedTo: number; ms: number }): void;
}

/** A leader's messages that may leave before its own Ready is persisted (see handle()). */
function leaderSendsBeforePersist(m: Message): boolean {
  return m.type === 'app' || m.type === 'heartbeat';
}

/** Any node's messages that may: a proposal forwarded to the leader (see RawNode.takeForwardedProposals). */
function sendsBeforePersist(m: Message): boolean {
  return m.type === 'prop';
}

/**
 * Drives the pure Raft core with real I/O, in the order the core's Ready contract demands:
 * persist (WAL, fsync), then send, then apply, then advance. One Ready is in flight at a time;
 * applying is queued (in order) rather than awaited, except for conf changes and snapshots.
 */
export class RaftHost {
  readonly raft: RaftNode;
  private readonly init: RaftHostInit;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private again = false;
  private stopped = false;
  private readonly unsubs: Array<() => void> = [];
  /** The apply queue: committed entries are applied in order, off the Ready loop's path. */
  private readonly applyPending: Array<{ entries: Entry[]; snapshot: Snapshot | null }> = [];
  private applyQueued = 0;
  private applying: Promise<void> | null = null;
  private leader: string | null = null;
  private readonly leaderListeners = new Set<() => void>();
  private snapshotting: Promise<void> | null = null;
  private readonly snapshotEvery: number;

  constructor(init: RaftHostInit) {
    this.init = init;
    this.snapshotEvery = Number(process.env.CAIRN_SNAPSHOT_ENTRIES) > 0 ? Number(process.env.CAIRN_SNAPSHOT_ENTRIES) : snapshotEveryEntries;
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
        const msg = decodeMessage(bytes);
        if (tracing) trace('recv', { type: msg.type, entries: 'entries' in msg ? msg.entries.length : 0 });
        this.raft.step(msg);
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

  /** Calls `cb` whenever the known leader changes (to another node, or to none); returns the unsubscribe. */
  onLeaderChange(cb: () => void): () => void {
    this.leaderListeners.add(cb);
    return () => this.leaderListeners.delete(cb);
  }

  /** True while this node is a voter or learner (a joining node is neither until the leader adds it). */
  isMember(): boolean {
    const conf = this.raft.status().conf;
    return conf.voters.includes(this.init.id) || conf.learners.includes(this.init.id);
  }

  /** Resolves once every committed entry handed over so far is applied (before the store closes). */
  applied(): Promise<void> {
    return this.applying ?? Promise.resolve();
  }

  /**
   * A follower's proposal goes to the leader now, not with the next Ready: that one waits while
   * the current Ready is persisted (an fsync, milliseconds), and a forwarded proposal has nothing
   * to wait for. The channel to the leader still gathers one event-loop turn's frames into one write.
   */
  propose(data: Uint8Array): ProposeResult {
    const r = this.raft.propose(data);
    this.send(this.raft.takeForwardedProposals());
    this.kick();
    return r;
  }

  /**
   * Runs the Ready loop unless it already runs (then it goes round once more). An idle loop
   * starts at the end of this event-loop turn, not at once: the frames of one socket read, and
   * proposals made in the same turn, are stepped first and share one Ready (one WAL write and
   * fsync, one send) instead of the first of them taking a Ready of its own.
   */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    setImmediate(() => {
      void this.loop().finally(() => {
        this.running = false;
      });
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
    const { wal, storage } = this.init;
    if (rd.softState) {
      this.init.onSoftState?.(rd.softState);
      if (rd.softState.leader !== this.leader) {
        this.leader = rd.softState.leader;
        for (const cb of [...this.leaderListeners]) cb();
      }
    }
    if (tracing) trace('ready', { entries: rd.entries.length, committed: rd.committedEntries.length, msgs: rd.messages.map((m) => m.type), sync: rd.mustSync });
    // A leader's appends and heartbeats promise nothing about its own disk, so they go out before
    // its fsync and the followers' fsyncs run alongside it (Raft thesis §10.2.1; etcd does the
    // same). Safe because the next Ready (the one that could apply what the followers' acks
    // commit) is only taken after this one is persisted: nothing is applied or acknowledged to a
    // client before the leader's own copy is durable too. Everything else waits for the disk.
    // A forwarded proposal goes before the fsync on any node (see propose()).
    const leader = this.raft.basicStatus().role === 'leader';
    const isEarly = (m: Message): boolean => sendsBeforePersist(m) || (leader && leaderSendsBeforePersist(m));
    const early = rd.messages.filter(isEarly);
    this.send(early);
    // 1. Persist: nothing below may promise what is not on disk. Committed entries that earlier
    // Readys persisted promise nothing by being applied (they are on this disk and a majority's),
    // so they are applied while this Ready's entries are fsynced: under load nearly every Ready
    // has new entries, and applying (a reply to a proposer, the next job's start) would
    // otherwise wait an fsync for entries it does not need. A Ready whose only news for the disk
    // is a higher commit index (no entries, snapshot, term or vote: no fsync) also sends its
    // messages while that record is written; the commit index is a hint for restart. A Ready
    // still ends once its record is written, so the WAL's records stay in Ready order.
    const saving = wal.save(rd.hardState, rd.entries, rd.snapshot, { sync: rd.mustSync });
    // Awaited below either way; this only keeps a failure from counting as unhandled meanwhile.
    saving.catch(() => undefined);
    const commitOnly = !rd.mustSync && rd.entries.length === 0 && rd.snapshot === null;
    const onDisk = commitOnly ? 0 : this.committedOnDisk(rd);
    if (onDisk > 0) this.enqueueApply(rd.committedEntries.slice(0, onDisk), null);
    if (!commitOnly) await saving;
    if (rd.snapshot !== null) {
      storage.applySnapshot(rd.snapshot);
      this.init.onSnapshotReceived?.({ index: rd.snapshot.meta.index, bytes: rd.snapshot.data.length });
    }
    storage.append(rd.entries);
    if (rd.hardState !== null) storage.setHardState(rd.hardState);
    if (tracing) trace('saved');
    // 2. Send.
    this.send(early.length === 0 ? rd.messages : rd.messages.filter((m) => !isEarly(m)));
    // 3. Apply, in order, but without holding up the next Ready: a git commit of history must
    // not delay persisting and sending the entries behind it (etcd applies off its raft loop
    // too). Conf changes and snapshots are awaited, so the core's view of the configuration
    // and of the applied index never runs ahead of them (as etcd waits on conf changes).
    const rest = onDisk === 0 ? rd.committedEntries : rd.committedEntries.slice(onDisk);
    if (rd.snapshot !== null || rest.length > 0) this.enqueueApply(rest, rd.snapshot);
    const barrier = rd.snapshot !== null || rest.some((e) => e.type === 'conf-change') || this.applyQueued > applyQueueEntriesMax;
    if (barrier && this.applying !== null) await this.applying;
    if (commitOnly) await saving;
    // 4. Advance.
    this.raft.advance();
    this.maybeSnapshot();
  }

  /**
   * How many of a Ready's committed entries (from the first) this node held on disk before it:
   * persisted by an earlier Ready, not being replaced by this one's. A conf change ends the
   * count (it is applied after the save, as a barrier); a snapshot makes it none.
   */
  private committedOnDisk(rd: Ready): number {
    if (rd.snapshot !== null) return 0;
    const durableLast = this.init.storage.lastIndex();
    const firstNew = rd.entries[0]?.index ?? Number.POSITIVE_INFINITY;
    let n = 0;
    for (const e of rd.committedEntries) {
      if (e.index > durableLast || e.index >= firstNew || e.type === 'conf-change') break;
      n++;
    }
    return n;
  }

  /** Resolves once a snapshot being taken is written (before the WAL closes). */
  snapshotDone(): Promise<void> {
    return this.snapshotting ?? Promise.resolve();
  }

  /**
   * Takes a snapshot when enough entries were applied since the last. Only while nothing waits
   * to be applied, so the core's applied index and configuration describe exactly the state
   * read: the state is encoded at once; the store's part follows (the store may move on in
   * the meantime, which is harmless: on restore it skips the entries it already holds).
   */
  private maybeSnapshot(): void {
    const { snapshotData, storage, wal } = this.init;
    if (snapshotData === undefined || this.snapshotting !== null || this.applying !== null || this.stopped) return;
    // This runs after every Ready: the cheap status first, the configuration only when it is time.
    if (this.raft.basicStatus().applied - storage.snapshot().meta.index < this.snapshotEvery) return;
    const st = this.raft.status();
    const index = st.applied;
    const conf = st.conf;
    const t0 = performance.now();
    const data = snapshotData();
    this.snapshotting = (async () => {
      const bytes = await data;
      if (index <= storage.snapshot().meta.index) return; // A snapshot from the leader got here first.
      const snap = storage.createSnapshot(index, conf, bytes);
      await wal.saveSnapshot(snap);
      const compactTo = Math.min(index - Math.min(snapshotCatchUpEntries, Math.floor(this.snapshotEvery / 2)), storage.lastIndex());
      if (compactTo > storage.firstIndex()) {
        storage.compact(compactTo);
        await wal.compact(compactTo);
      }
      this.init.onSnapshot?.({ index, bytes: bytes.length, compactedTo: Math.max(compactTo, 0), ms: performance.now() - t0 });
    })()
      .catch((err: unknown) => this.init.onError(err))
      .finally(() => {
        this.snapshotting = null;
      });
  }

  private send(messages: readonly Message[]): void {
    for (const m of messages) {
      const ok = this.init.net.sendRaft(m.to, encodeMessage(m));
      if (!ok) this.raft.reportUnreachable(m.to);
      if (m.type === 'snap') this.raft.reportSnapshot(m.to, ok);
    }
  }

  private enqueueApply(entries: Entry[], snapshot: Snapshot | null): Promise<void> {
    this.applyPending.push({ entries, snapshot });
    this.applyQueued += entries.length;
    if (this.applying === null) {
      this.applying = this.drainApply();
      this.applying.catch((err: unknown) => this.init.onError(err));
    }
    return this.applying;
  }

  /** Applies what is queued; batches that queued up behind a slow apply go to the store as one. */
  private async drainApply(): Promise<void> {
    try {
      for (let next = this.applyPending.shift(); next !== undefined; next = this.applyPending.shift()) {
        let entries = next.entries;
        while (this.applyPending[0] !== undefined && this.applyPending[0].snapshot === null) entries = entries.concat(this.applyPending.shift()!.entries);
        await this.init.apply(entries, next.snapshot);
        this.applyQueued -= entries.length;
      }
    } finally {
      // Cleared in the same turn as the last emptiness check, so no batch is left behind.
      this.applying = null;
    }
  }
}
