/**
 * Simulated clients of the key-value state machine. Each keeps one operation outstanding:
 * writes (put, cas) are proposed through a node and complete when that node applies them;
 * reads (get) go through ReadIndex and complete once the node has applied up to the read's
 * index. An operation whose node crashes or that times out is abandoned: a write stays in the
 * history as "may or may not have happened", a read is dropped (it observed nothing).
 */
import { encodeCommand, type KvCommand, type KvOp, type KvResult } from './kv.js';
import type { HistoryOp } from './linearizability.js';
import type { Prng } from './prng.js';
import type { SimNode } from './sim-node.js';
import type { ReadState } from '../raft/index.js';

export interface ClientHost {
  readonly rng: Prng;
  now(): number;
  /** The next logical time (a global counter: totally orders calls and returns). */
  stamp(): number;
  schedule(atMs: number, fn: () => void): void;
  /** Nodes a client may talk to (up ones). */
  upNodes(): SimNode[];
  /** After a node's state changed, let it produce its Ready. */
  settle(node: SimNode): void;
}

interface PendingOp {
  client: number;
  seq: number;
  op: KvOp;
  node: string;
  call: number;
  deadlineMs: number;
  read: boolean;
  readIndex: number | null;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export interface ClientOptions {
  count: number;
  keys: number;
  opTimeoutMs: number;
  thinkMsMax: number;
}

export class Clients {
  private readonly ops: (HistoryOp & { seq: number })[] = [];
  /**
   * When each write first took effect anywhere, and its result. The simulator is omniscient:
   * an abandoned write that was applied is known to have taken effect by that moment, and one
   * never applied by the end of the run never took effect (no read could have observed it).
   */
  private readonly firstApply = new Map<string, { stamp: number; result: KvResult }>();
  private readonly pending = new Map<number, PendingOp>();
  private readonly seqs = new Map<number, number>();
  private readonly lastSeen = new Map<string, string | null>();
  private stopped = false;
  completed = 0;

  constructor(private readonly host: ClientHost, private readonly opts: ClientOptions) {}

  start(): void {
    for (let c = 0; c < this.opts.count; c++) this.host.schedule(this.host.now() + this.host.rng.int(this.opts.thinkMsMax + 1), () => this.act(c));
  }

  /** Stops issuing new operations (outstanding ones may still complete). */
  stop(): void {
    this.stopped = true;
  }

  private act(client: number): void {
    const p = this.pending.get(client);
    if (p !== undefined) {
      if (this.host.now() < p.deadlineMs) return;
      this.abandon(p);
    }
    if (this.stopped) return;
    this.issue(client);
  }

  private next(client: number): void {
    if (this.stopped) return;
    this.host.schedule(this.host.now() + 1 + this.host.rng.int(this.opts.thinkMsMax), () => this.act(client));
  }

  private randomOp(client: number, seq: number): KvOp {
    const rng = this.host.rng;
    const key = `k${rng.int(this.opts.keys)}`;
    const roll = rng.int(10);
    if (roll < 4) return { kind: 'get', key };
    const value = `${client}.${seq}`;
    if (roll < 8) return { kind: 'put', key, value };
    const expected = rng.chance(0.7) ? (this.lastSeen.get(key) ?? null) : null;
    return { kind: 'cas', key, expected, value };
  }

  private issue(client: number): void {
    const nodes = this.host.upNodes();
    if (nodes.length === 0) return this.next(client);
    const node = this.host.rng.pick(nodes);
    const raft = node.raft!;
    const seq = (this.seqs.get(client) ?? 0) + 1;
    this.seqs.set(client, seq);
    const op = this.randomOp(client, seq);
    const read = op.kind === 'get';
    const res = read ? raft.readIndex(enc.encode(`${client}:${seq}`)) : raft.propose(encodeCommand({ client, seq, op }));
    if (res.kind === 'dropped') {
      // Definitely not applied: not part of the history. Try again shortly.
      this.host.settle(node);
      return this.next(client);
    }
    const p: PendingOp = { client, seq, op, node: node.id, call: this.host.stamp(), deadlineMs: this.host.now() + this.opts.opTimeoutMs, read, readIndex: null };
    this.pending.set(client, p);
    this.host.schedule(p.deadlineMs, () => this.act(client));
    this.host.settle(node);
  }

  private finish(p: PendingOp, result: KvResult | null): void {
    this.pending.delete(p.client);
    const ret = result === null ? Infinity : this.host.stamp();
    if (!(p.read && result === null)) this.ops.push({ client: p.client, seq: p.seq, op: p.op, call: p.call, ret, result });
    if (result !== null) {
      this.completed++;
      if (result.kind === 'value') this.lastSeen.set(p.op.key, result.value);
      else if (p.op.kind !== 'get' && (result.kind === 'ok' || (result.kind === 'cas' && result.ok))) this.lastSeen.set(p.op.key, p.op.value);
    }
    this.next(p.client);
  }

  private abandon(p: PendingOp): void {
    this.finish(p, null);
  }

  onApplied(node: SimNode, cmd: KvCommand, result: KvResult | null): void {
    const key = `${cmd.client}:${cmd.seq}`;
    if (result !== null && !this.firstApply.has(key)) this.firstApply.set(key, { stamp: this.host.stamp(), result });
    const p = this.pending.get(cmd.client);
    if (p === undefined || p.read || p.seq !== cmd.seq || p.node !== node.id || result === null) return;
    this.finish(p, result);
  }

  onReadState(node: SimNode, rs: ReadState): void {
    const [c, s] = dec.decode(rs.context).split(':').map(Number);
    const p = this.pending.get(c!);
    if (p === undefined || !p.read || p.seq !== s || p.node !== node.id) return;
    p.readIndex = rs.index;
    this.onAppliedTo(node);
  }

  onAppliedTo(node: SimNode): void {
    for (const p of [...this.pending.values()]) {
      if (!p.read || p.node !== node.id || p.readIndex === null || node.appliedIndex < p.readIndex) continue;
      this.finish(p, { kind: 'value', value: node.kv.get(p.op.key) });
    }
  }

  onCrash(node: SimNode): void {
    for (const p of [...this.pending.values()]) if (p.node === node.id) this.abandon(p);
  }

  /** Abandons everything still outstanding (end of run). */
  closeAll(): void {
    for (const p of [...this.pending.values()]) {
      this.pending.delete(p.client);
      if (!p.read) this.ops.push({ client: p.client, seq: p.seq, op: p.op, call: p.call, ret: Infinity, result: null });
    }
  }

  /**
   * The history to check: reads as observed; writes bounded by their first application (an
   * earlier return than the client saw, which only makes the check stricter) and carrying the
   * result they had; writes never applied are left out.
   */
  history(): HistoryOp[] {
    const out: HistoryOp[] = [];
    for (const h of this.ops) {
      if (h.op.kind === 'get') {
        out.push({ client: h.client, op: h.op, call: h.call, ret: h.ret, result: h.result });
        continue;
      }
      const first = this.firstApply.get(`${h.client}:${h.seq}`);
      if (first === undefined) continue;
      out.push({ client: h.client, op: h.op, call: h.call, ret: Math.min(h.ret, first.stamp), result: first.result });
    }
    return out;
  }
}
