/**
 * A tester in the style of the MIT 6.5840 Raft lab's config.go, over the simulator: servers
 * that can be disconnected, crashed and restarted; `one()` submits a command and waits for it
 * to commit on enough servers; every apply is cross-checked against what others applied at
 * that index. Time is simulated, so "sleep" is `run(ms)`.
 */
import { expect } from 'vitest';
import { SimCluster, type ClusterOptions } from '../../src/sim/cluster.js';
import type { SimNode } from '../../src/sim/sim-node.js';

export interface LabOptions {
  seed?: number;
  unreliable?: boolean;
  snapshotEveryEntries?: number;
  heartbeatIntervalTicks?: number;
  electionTimeoutTicks?: number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export class Lab {
  readonly c: SimCluster;
  readonly ids: string[];
  /** What each server applied (kept across its crashes, like the lab's cfg.logs). */
  readonly logs = new Map<string, Map<number, string>>();
  maxIndex = 0;

  constructor(readonly n: number, o: LabOptions = {}) {
    const opts: Partial<ClusterOptions> = {
      seed: o.seed ?? 1,
      nodes: n,
      tickMs: 10,
      raft: { electionTimeoutTicks: o.electionTimeoutTicks ?? 15, heartbeatIntervalTicks: o.heartbeatIntervalTicks ?? 2 },
      net: { dropRate: 0, dupRate: 0, latencyMinMs: 1, latencyMaxMs: 5 },
      snapshotEveryEntries: o.snapshotEveryEntries ?? Infinity,
    };
    this.c = new SimCluster(opts);
    this.ids = [...this.c.nodes.keys()];
    if (o.unreliable === true) this.setUnreliable(true);
    for (const id of this.ids) this.logs.set(id, new Map());
    this.c.onApply = (node, e) => {
      if (e.type !== 'normal' || e.data.length === 0) return;
      const v = dec.decode(e.data);
      for (const [other, log] of this.logs) {
        const theirs = log.get(e.index);
        if (theirs !== undefined && theirs !== v) throw new Error(`commit index=${e.index} server=${node.id} ${v} != server=${other} ${theirs}`);
      }
      this.logs.get(node.id)!.set(e.index, v);
      this.maxIndex = Math.max(this.maxIndex, e.index);
    };
  }

  /** 10% loss, duplicates, and delays up to 50 ms (reordering), as the lab's unreliable net. */
  setUnreliable(on: boolean, longDelays = false): void {
    Object.assign(this.c.opts.net, on ? { dropRate: 0.1, dupRate: 0.05, latencyMaxMs: longDelays ? 400 : 50 } : { dropRate: 0, dupRate: 0, latencyMaxMs: 5 });
  }

  node(i: number | string): SimNode {
    return this.c.get(typeof i === 'number' ? this.ids[((i % this.n) + this.n) % this.n]! : i);
  }

  id(i: number): string {
    return this.ids[((i % this.n) + this.n) % this.n]!;
  }

  run(ms: number): void {
    this.c.run(ms);
  }

  disconnect(i: number | string): void {
    this.c.disconnect(this.node(i).id);
  }

  connect(i: number | string): void {
    this.c.connect(this.node(i).id);
  }

  connected(id: string): boolean {
    return this.c.isConnected(id);
  }

  /** The lab's crash1: the server dies (keeping only what it persisted) and is cut off. */
  crash(i: number | string): void {
    const id = this.node(i).id;
    this.c.disconnect(id);
    this.c.crash(id);
  }

  /** The lab's start1: restarts from persisted state (still disconnected until connect). */
  restart(i: number | string): void {
    this.c.restart(this.node(i).id);
  }

  leaders(): Map<number, string[]> {
    const byTerm = new Map<number, string[]>();
    for (const id of this.ids) {
      const st = this.c.get(id).raft?.status();
      if (st === undefined || !this.connected(id) || st.role !== 'leader') continue;
      byTerm.set(st.term, [...(byTerm.get(st.term) ?? []), id]);
    }
    return byTerm;
  }

  checkOneLeader(): string {
    for (let iter = 0; iter < 10; iter++) {
      this.run(450 + this.c.rng.int(100));
      const byTerm = this.leaders();
      for (const [term, ls] of byTerm) expect(ls.length, `term ${term} has ${ls.length} (>1) leaders`).toBeLessThanOrEqual(1);
      const last = Math.max(...byTerm.keys());
      if (byTerm.size > 0) return byTerm.get(last)![0]!;
    }
    throw new Error('expected one leader, got none');
  }

  /** The current leader among connected servers, or the first server if there is none. */
  checkOneLeaderQuick(): string {
    const byTerm = this.leaders();
    if (byTerm.size === 0) return this.ids[0]!;
    return byTerm.get(Math.max(...byTerm.keys()))![0]!;
  }

  checkTerms(): number {
    let term = -1;
    for (const id of this.ids) {
      const st = this.c.get(id).raft?.status();
      if (st === undefined || !this.connected(id)) continue;
      if (term === -1) term = st.term;
      else expect(st.term, 'servers disagree on term').toBe(term);
    }
    return term;
  }

  checkNoLeader(): void {
    expect(this.leaders().size, 'expected no leader among connected servers').toBe(0);
  }

  /** How many servers think `index` is committed, checking they agree on it. */
  nCommitted(index: number): { count: number; cmd: string | null } {
    let count = 0;
    let cmd: string | null = null;
    for (const log of this.logs.values()) {
      const v = log.get(index);
      if (v === undefined) continue;
      if (count > 0) expect(v, `committed values do not match at index ${index}`).toBe(cmd);
      count++;
      cmd = v;
    }
    return { count, cmd };
  }

  /** Proposes on server i if it is up and leader: the lab's rf.Start(). */
  start(i: number | string, cmd: string | number): { index: number; term: number; isLeader: boolean } {
    const n = this.node(i);
    const st = n.raft?.status();
    if (n.raft === null || st === undefined || st.role !== 'leader') return { index: -1, term: st?.term ?? 0, isLeader: false };
    const res = n.raft.propose(enc.encode(String(cmd)));
    this.c.settle(n);
    if (res.kind !== 'appended') return { index: -1, term: st.term, isLeader: false };
    return { index: res.index, term: res.term, isLeader: true };
  }

  /**
   * Submits `cmd` to whichever connected server is leader and waits until `expected` servers
   * applied it; with `retry`, resubmits after a failed attempt (as the lab's one()).
   */
  one(cmd: string | number, expected: number, retry = true): number {
    const deadline = this.c.now() + 10_000;
    let starts = 0;
    while (this.c.now() < deadline) {
      let index = -1;
      for (let k = 0; k < this.n; k++) {
        starts = (starts + 1) % this.n;
        if (!this.connected(this.id(starts))) continue;
        const r = this.start(starts, cmd);
        if (r.isLeader) {
          index = r.index;
          break;
        }
      }
      if (index !== -1) {
        const t1 = this.c.now();
        while (this.c.now() - t1 < 2000) {
          const { count, cmd: got } = this.nCommitted(index);
          if (count > 0 && count >= expected && got === String(cmd)) return index;
          this.run(20);
        }
        if (!retry) throw new Error(`one(${cmd}) failed to reach agreement`);
      } else {
        this.run(50);
      }
    }
    throw new Error(`one(${cmd}) failed to reach agreement`);
  }

  /** Waits for `index` to commit on at least n servers; null if a newer term began. */
  wait(index: number, n: number, startTerm: number): string | null {
    let to = 10;
    for (let iters = 0; iters < 30; iters++) {
      const { count } = this.nCommitted(index);
      if (count >= n) break;
      this.run(to);
      if (to < 1000) to *= 2;
      if (startTerm > -1) {
        for (const id of this.ids) {
          const t = this.c.get(id).raft?.status().term;
          if (t !== undefined && t > startTerm) return null;
        }
      }
    }
    const { count, cmd } = this.nCommitted(index);
    expect(count, `only ${count} decided for index ${index}; wanted ${n}`).toBeGreaterThanOrEqual(n);
    return cmd;
  }

  /** Requests (not replies) sent so far: the lab counts RPCs, each a request with its reply. */
  rpcs(): number {
    let total = 0;
    for (const [type, s] of this.c.sentByType) if (!type.endsWith('-resp')) total += s.count;
    return total;
  }

  bytes(): number {
    let total = 0;
    for (const s of this.c.sentByType.values()) total += s.bytes;
    return total;
  }
}
