/**
 * A simulated cluster: N nodes in one process on a simulated clock (milliseconds; each node
 * ticks every `tickMs` at its own phase), a network that drops, delays (so reorders) and
 * duplicates messages and can be partitioned, crashes and restarts, and clients. Everything is
 * driven by one seeded PRNG, so a seed replays exactly.
 */
import { decodeMessage, encodeMessage, type Entry, type Message, type NodeId } from '../raft/index.js';
import { Checkers } from './checkers.js';
import { Clients, type ClientOptions } from './clients.js';
import { EventQueue } from './event-queue.js';
import { Prng } from './prng.js';
import { newStorage, SimNode, crashPoints, type RaftTuning } from './sim-node.js';

export interface NetOptions {
  dropRate: number;
  dupRate: number;
  latencyMinMs: number;
  latencyMaxMs: number;
}

export interface ClusterOptions {
  seed: number;
  nodes: number;
  tickMs: number;
  raft: RaftTuning;
  net: NetOptions;
  clients: ClientOptions | null;
  snapshotEveryEntries: number;
  /** Chance that handling a Ready crashes the node at a random point of it. */
  crashInReadyRate: number;
  /** Restart delay after a crash inside a Ready. */
  restartDelayMsMax: number;
  /** Whether a crash is reported to the crashed node's peers as a dropped connection. */
  notifyDisconnect: boolean;
  /** The delay of that report (the transport noticing a closed connection). */
  disconnectNoticeMs: [number, number];
  /** Each tick lands up to this many ms early or late: nodes' clocks drift apart. */
  tickJitterMs: number;
}

export const defaultClusterOptions: ClusterOptions = {
  seed: 1,
  nodes: 3,
  tickMs: 10,
  raft: { electionTimeoutTicks: 10, heartbeatIntervalTicks: 1 },
  net: { dropRate: 0, dupRate: 0, latencyMinMs: 1, latencyMaxMs: 5 },
  clients: null,
  snapshotEveryEntries: Infinity,
  crashInReadyRate: 0,
  restartDelayMsMax: 500,
  notifyDisconnect: true,
  disconnectNoticeMs: [1, 5],
  tickJitterMs: 0,
};

/** How much likelier a crash is inside a Ready that promises something (see settle). */
const crashInPromisingReadyFactor = 10;

type SimEvent = { kind: 'tick'; node: string } | { kind: 'deliver'; from: string; to: string; bytes: Uint8Array; snap: boolean } | { kind: 'call'; fn: () => void };

export interface LeaderChange {
  node: NodeId;
  term: number;
  atMs: number;
}

export class SimCluster {
  readonly rng: Prng;
  readonly opts: ClusterOptions;
  readonly nodes = new Map<string, SimNode>();
  readonly checkers = new Checkers();
  readonly clients: Clients | null;
  readonly leaderChanges: LeaderChange[] = [];
  private readonly queue = new EventQueue<SimEvent>();
  private readonly group = new Map<string, number>();
  private clock = 0;
  private logical = 0;
  messagesSent = 0;
  messagesDropped = 0;
  /** Called whenever a node becomes leader (benchmarks measure failover with it). */
  onLeader: ((c: LeaderChange) => void) | null = null;
  /** Called for every entry any node applies. */
  onApply: ((n: SimNode, e: Entry) => void) | null = null;
  onSnapshotRestored: ((n: SimNode, index: number) => void) | null = null;
  /** Fault and event counts by kind (drop, dup, crash-in-ready, compaction, ...). */
  readonly counts: Record<string, number> = {};
  /** Messages and bytes sent, by message kind. */
  readonly sentByType = new Map<string, { count: number; bytes: number }>();
  private readonly isolated = new Set<string>();
  /** Latest scheduled delivery per link: a connection's close is noticed after its data. */
  private readonly lastDelivery = new Map<string, number>();

  count(kind: string, n = 1): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + n;
  }

  constructor(opts: Partial<ClusterOptions> = {}) {
    this.opts = { ...defaultClusterOptions, ...opts };
    // Own copies: tests flip the network's behaviour mid-run.
    this.opts.net = { ...this.opts.net };
    this.opts.raft = { ...this.opts.raft };
    this.rng = new Prng(this.opts.seed);
    const ids = Array.from({ length: this.opts.nodes }, (_, i) => `n${i + 1}`);
    for (const id of ids) this.addNode(id, ids);
    this.clients = this.opts.clients === null ? null : new Clients(this.clientHost(), this.opts.clients);
  }

  now(): number {
    return this.clock;
  }

  /** Creates and starts a node: a founder (with the initial voters) or a joiner (voters null). */
  addNode(id: string, voters: string[] | null): SimNode {
    const node = new SimNode(id, newStorage(voters), this.rng.fork(), this.opts.raft, {
      checkers: this.checkers,
      send: (m) => this.send(m),
      applied: (n, cmd, result) => this.clients?.onApplied(n, cmd, result),
      readState: (n, rs) => this.clients?.onReadState(n, rs),
      appliedTo: (n) => this.clients?.onAppliedTo(n),
      crashed: (n) => this.onCrashed(n),
      entryApplied: (n, e) => this.onApply?.(n, e),
      snapshotRestored: (n, index) => {
        this.count('snapshot-installed');
        this.onSnapshotRestored?.(n, index);
      },
      compacted: () => this.count('compaction'),
    });
    node.snapshotEveryEntries = this.opts.snapshotEveryEntries;
    this.nodes.set(id, node);
    node.start();
    this.queue.push(this.clock + this.rng.int(this.opts.tickMs), { kind: 'tick', node: id });
    return node;
  }

  get(id: string): SimNode {
    const n = this.nodes.get(id);
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  schedule(atMs: number, fn: () => void): void {
    this.queue.push(Math.max(atMs, this.clock), { kind: 'call', fn });
  }

  /** Lets a node emit its Readies (possibly crashing inside one, by chance). */
  settle(node: SimNode): void {
    if (!node.up) return;
    node.processReadies((rd) => {
      // Readies that make promises (a vote, a new term, an acknowledgement of entries) are
      // where losing unsynced state matters: crash there far more often than on heartbeats.
      const promising = rd.mustSync || rd.messages.some((m) => (m.type === 'vote-resp' && !m.reject) || m.type === 'app-resp');
      if (!this.rng.chance(this.opts.crashInReadyRate * (promising ? crashInPromisingReadyFactor : 1))) return null;
      this.count('crash-in-ready');
      this.schedule(this.clock + 1 + this.rng.int(this.opts.restartDelayMsMax), () => this.restart(node.id));
      return this.rng.pick(crashPoints);
    });
  }

  private observeLeader(node: SimNode): void {
    const st = node.raft?.basicStatus();
    if (st === undefined || st.role !== 'leader') return;
    const last = this.leaderChanges[this.leaderChanges.length - 1];
    if (last !== undefined && last.node === node.id && last.term === st.term) return;
    const c = { node: node.id, term: st.term, atMs: this.clock };
    this.leaderChanges.push(c);
    this.onLeader?.(c);
  }

  private send(m: Message): void {
    this.messagesSent++;
    if (this.rng.chance(this.opts.net.dropRate)) {
      this.messagesDropped++;
      this.count('drop');
      if (m.type === 'snap') this.schedule(this.clock + 1, () => this.reportSnapshot(m.from, m.to, false));
      return;
    }
    const bytes = encodeMessage(m);
    const sent = this.sentByType.get(m.type) ?? { count: 0, bytes: 0 };
    sent.count++;
    sent.bytes += bytes.length;
    this.sentByType.set(m.type, sent);
    const copies = this.rng.chance(this.opts.net.dupRate) ? 2 : 1;
    if (copies > 1) this.count('dup');
    for (let i = 0; i < copies; i++) {
      const latency = this.opts.net.latencyMinMs + this.rng.int(this.opts.net.latencyMaxMs - this.opts.net.latencyMinMs + 1);
      const link = `${m.from}>${m.to}`;
      this.lastDelivery.set(link, Math.max(this.lastDelivery.get(link) ?? 0, this.clock + latency));
      this.queue.push(this.clock + latency, { kind: 'deliver', from: m.from, to: m.to, bytes, snap: m.type === 'snap' && i === 0 });
    }
  }

  private reportSnapshot(from: string, to: string, ok: boolean): void {
    const sender = this.nodes.get(from);
    if (sender?.raft == null) return;
    sender.raft.reportSnapshot(to, ok);
    this.settle(sender);
  }

  connected(a: string, b: string): boolean {
    if (this.isolated.has(a) || this.isolated.has(b)) return false;
    return (this.group.get(a) ?? 0) === (this.group.get(b) ?? 0);
  }

  /** Cuts a node off from everyone (the 6.5840 lab's disconnect); `connect` undoes it. */
  disconnect(id: string): void {
    this.isolated.add(id);
  }

  connect(id: string): void {
    this.isolated.delete(id);
  }

  isConnected(id: string): boolean {
    return !this.isolated.has(id);
  }

  /** Splits the network: nodes in different groups cannot talk. Unlisted nodes join group 0. */
  partition(groups: string[][]): void {
    this.group.clear();
    groups.forEach((g, i) => {
      for (const id of g) this.group.set(id, i + 1);
    });
  }

  /** Removes every partition and reconnects every node. */
  heal(): void {
    this.group.clear();
    this.isolated.clear();
  }

  crash(id: string): void {
    this.get(id).crash();
  }

  restart(id: string): void {
    const n = this.get(id);
    if (n.up) return;
    n.start();
    this.settle(n);
  }

  private onCrashed(n: SimNode): void {
    this.clients?.onCrash(n);
    if (!this.opts.notifyDisconnect) return;
    // The crashed process's connections close; its peers' transports notice shortly.
    for (const peer of this.nodes.values()) {
      if (peer.id === n.id || !peer.up || !this.connected(peer.id, n.id)) continue;
      const [lo, hi] = this.opts.disconnectNoticeMs;
      // A stream delivers what was sent before it reports the close.
      const drained = (this.lastDelivery.get(`${n.id}>${peer.id}`) ?? 0) + 1;
      this.schedule(Math.max(drained, this.clock + lo + this.rng.int(hi - lo + 1)), () => {
        if (peer.raft === null) return;
        peer.raft.peerDisconnected(n.id);
        this.count('disconnect-notice');
        this.settle(peer);
      });
    }
  }

  private clientHost(): ConstructorParameters<typeof Clients>[0] {
    return {
      rng: this.rng,
      now: () => this.clock,
      stamp: () => ++this.logical,
      schedule: (at, fn) => this.schedule(at, fn),
      upNodes: () => [...this.nodes.values()].filter((n) => n.up),
      settle: (n) => this.settle(n),
    };
  }

  private handle(ev: SimEvent): void {
    switch (ev.kind) {
      case 'tick': {
        const n = this.nodes.get(ev.node);
        const jitter = this.opts.tickJitterMs;
        this.queue.push(this.clock + this.opts.tickMs + (jitter > 0 ? this.rng.range(-jitter, jitter) : 0), ev);
        if (n?.raft == null) return;
        n.raft.tick();
        this.settle(n);
        this.observeLeader(n);
        return;
      }
      case 'deliver': {
        const n = this.nodes.get(ev.to);
        if (n?.raft == null || !this.connected(ev.from, ev.to)) {
          this.messagesDropped++;
          if (ev.snap) this.reportSnapshot(ev.from, ev.to, false);
          return;
        }
        n.raft.step(decodeMessage(ev.bytes));
        this.settle(n);
        this.observeLeader(n);
        if (ev.snap) this.reportSnapshot(ev.from, ev.to, true);
        return;
      }
      case 'call':
        ev.fn();
        for (const n of this.nodes.values()) this.observeLeader(n);
        return;
    }
  }

  /** Runs events up to and including time `untilMs`. */
  runUntil(untilMs: number): void {
    for (;;) {
      const t = this.queue.peekTime();
      if (t === undefined || t > untilMs) break;
      const ev = this.queue.pop()!;
      this.clock = ev.time;
      this.handle(ev.event);
    }
    this.clock = Math.max(this.clock, untilMs);
  }

  run(ms: number): void {
    this.runUntil(this.clock + ms);
  }

  /** Runs until `pred` holds (checked after every event) or `maxMs` pass; returns whether it held. */
  runUntilTrue(pred: () => boolean, maxMs: number): boolean {
    const end = this.clock + maxMs;
    if (pred()) return true;
    for (;;) {
      const t = this.queue.peekTime();
      if (t === undefined || t > end) break;
      const ev = this.queue.pop()!;
      this.clock = ev.time;
      this.handle(ev.event);
      if (pred()) return true;
    }
    this.clock = Math.max(this.clock, end);
    return false;
  }

  /** The up node that believes it leads with the highest term, if any. */
  leader(): SimNode | null {
    let best: SimNode | null = null;
    let bestTerm = -1;
    for (const n of this.nodes.values()) {
      const st = n.raft?.basicStatus();
      if (st?.role === 'leader' && st.term > bestTerm) {
        best = n;
        bestTerm = st.term;
      }
    }
    return best;
  }
}
