/**
 * Test helpers for driving Raft nodes directly (like etcd's raft_test.go `network`): a node
 * with its MemoryStorage and applied entries, and a lossless in-memory network that delivers
 * messages until the cluster is quiet, with per-link drops for partition scenarios.
 */
import { createRaft, MemoryStorage, type Entry, type Message, type RaftConfig, type RaftNode, type Random, type Ready } from '../../src/raft/index.js';

/** A tiny deterministic PRNG for tests (mulberry32). */
export function testRandom(seed = 1): Random {
  let a = seed >>> 0;
  return {
    int(n: number): number {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const x = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      return Math.floor(x * n);
    },
  };
}

export interface TestNode {
  id: string;
  node: RaftNode;
  storage: MemoryStorage;
  applied: Entry[];
  reads: { index: number; context: Uint8Array }[];
}

export type NodeOptions = Partial<Omit<RaftConfig, 'id' | 'storage'>>;

export function ids(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `n${i + 1}`);
}

export function newNode(id: string, storage: MemoryStorage, opts: NodeOptions = {}, seed = 1): TestNode {
  const node = createRaft({ id, storage, random: testRandom(seed + id.length * 31 + id.charCodeAt(id.length - 1)), electionTimeoutTicks: 10, heartbeatIntervalTicks: 1, ...opts });
  return { id, node, storage, applied: [], reads: [] };
}

/** Handles one Ready in the documented order; returns the messages to send. */
export function handleReady(t: TestNode): Message[] {
  if (!t.node.hasReady()) return [];
  const rd: Ready = t.node.ready();
  if (rd.snapshot !== null) t.storage.applySnapshot(rd.snapshot);
  t.storage.append(rd.entries);
  if (rd.hardState !== null) t.storage.setHardState(rd.hardState);
  for (const e of rd.committedEntries) t.applied.push(e);
  for (const rs of rd.readStates) t.reads.push(rs);
  t.node.advance();
  return rd.messages;
}

/** Drains all Readies of one node (no delivery); returns every message it wanted to send. */
export function drain(t: TestNode): Message[] {
  const out: Message[] = [];
  for (let i = 0; i < 100 && t.node.hasReady(); i++) out.push(...handleReady(t));
  return out;
}

export class Network {
  readonly nodes = new Map<string, TestNode>();
  private readonly cut = new Set<string>();
  /** Messages delivered, by kind (for RPC-count assertions). */
  readonly counts = new Map<string, number>();
  /** Optional filter; return false to drop a message. */
  filter: ((m: Message) => boolean) | null = null;

  constructor(n: number | string[], opts: NodeOptions = {}, seed = 1) {
    const names = typeof n === 'number' ? ids(n) : n;
    for (const id of names) this.nodes.set(id, newNode(id, MemoryStorage.bootstrap({ voters: names, learners: [] }), opts, seed));
  }

  get(id: string): TestNode {
    const t = this.nodes.get(id);
    if (t === undefined) throw new Error(`no node ${id}`);
    return t;
  }

  add(t: TestNode): void {
    this.nodes.set(t.id, t);
  }

  /** Cuts both directions between a and b. */
  cutLink(a: string, b: string): void {
    this.cut.add(`${a}>${b}`);
    this.cut.add(`${b}>${a}`);
  }

  isolate(id: string): void {
    for (const other of this.nodes.keys()) if (other !== id) this.cutLink(id, other);
  }

  heal(): void {
    this.cut.clear();
  }

  /** Delivers messages (and everything they cause) until the cluster is quiet. */
  send(msgs: Message[]): void {
    const queue = [...msgs];
    for (let rounds = 0; rounds < 100_000; rounds++) {
      for (const t of this.nodes.values()) queue.push(...drain(t));
      const m = queue.shift();
      if (m === undefined) return;
      if (this.cut.has(`${m.from}>${m.to}`)) continue;
      if (this.filter !== null && !this.filter(m)) continue;
      const dest = this.nodes.get(m.to);
      if (dest === undefined) continue;
      this.counts.set(m.type, (this.counts.get(m.type) ?? 0) + 1);
      dest.node.step(m);
    }
    throw new Error('network did not quiesce');
  }

  /** Lets every node's pending output flow. */
  stabilize(): void {
    this.send([]);
  }

  /** Makes `id` campaign and runs the election to completion. */
  campaign(id: string): void {
    this.get(id).node.campaign();
    this.stabilize();
  }

  /** Ticks every node (not cut off by anything) `n` times, stabilizing after each tick. */
  tick(n: number, only?: string[]): void {
    for (let i = 0; i < n; i++) {
      for (const t of this.nodes.values()) if (only === undefined || only.includes(t.id)) t.node.tick();
      this.stabilize();
    }
  }

  leaders(): string[] {
    return [...this.nodes.values()].filter((t) => t.node.status().role === 'leader').map((t) => t.id);
  }

  propose(id: string, text: string): void {
    this.get(id).node.propose(new TextEncoder().encode(text));
    this.stabilize();
  }
}

export const text = (e: Entry): string => new TextDecoder().decode(e.data);

/** Applied normal entries with data, as text. */
export function appliedTexts(t: TestNode): string[] {
  return t.applied.filter((e) => e.type === 'normal' && e.data.length > 0).map(text);
}
