/**
 * ReadIndex bookkeeping on the leader (dissertation §6.4, etcd's read_only.go): each read
 * records the commit index when it arrived, then waits until a heartbeat round tagged with its
 * context is acknowledged by a majority, which proves we were still the leader at that moment.
 * A quorum ack for one context also confirms every read queued before it.
 */
import type { NodeId } from './types.js';

export interface ReadRequest {
  /** Who asked: the leader itself or a follower that forwarded the read. */
  from: NodeId;
  context: Uint8Array;
}

export interface ReadIndexStatus {
  request: ReadRequest;
  index: number;
  acks: Set<NodeId>;
}

/** A string key for a context (byte-exact, used for map lookups). */
export function contextKey(ctx: Uint8Array): string {
  let s = '';
  for (const b of ctx) s += String.fromCharCode(b);
  return s;
}

export class ReadOnly {
  private readonly pending = new Map<string, ReadIndexStatus>();
  private queue: string[] = [];

  size(): number {
    return this.queue.length;
  }

  /** Queues a read at commit index `index`; a duplicate context is ignored. */
  addRequest(index: number, request: ReadRequest): void {
    const key = contextKey(request.context);
    if (this.pending.has(key)) return;
    this.pending.set(key, { request, index, acks: new Set() });
    this.queue.push(key);
  }

  /** Records a heartbeat ack for a context; returns who has acked it, or undefined. */
  recvAck(id: NodeId, ctx: Uint8Array): ReadonlySet<NodeId> | undefined {
    const rs = this.pending.get(contextKey(ctx));
    if (rs === undefined) return undefined;
    rs.acks.add(id);
    return rs.acks;
  }

  /** Dequeues every read up to and including the one with `ctx`, in order. */
  advance(ctx: Uint8Array): ReadIndexStatus[] {
    const key = contextKey(ctx);
    const at = this.queue.indexOf(key);
    if (at < 0) return [];
    const done = this.queue.slice(0, at + 1);
    this.queue = this.queue.slice(at + 1);
    const out: ReadIndexStatus[] = [];
    for (const k of done) {
      const rs = this.pending.get(k);
      if (rs !== undefined) out.push(rs);
      this.pending.delete(k);
    }
    return out;
  }

  lastPendingContext(): Uint8Array | null {
    const key = this.queue[this.queue.length - 1];
    return key === undefined ? null : this.pending.get(key)!.request.context;
  }

  reset(): void {
    this.pending.clear();
    this.queue = [];
  }
}
