/**
 * The simulated clients' state machine: a key-value register map with put, get and
 * compare-and-set, and a per-client session (last sequence number and its result) so that a
 * command applied twice (a duplicated forwarded proposal) takes effect once.
 */

export type KvOp =
  | { kind: 'put'; key: string; value: string }
  | { kind: 'get'; key: string }
  | { kind: 'cas'; key: string; expected: string | null; value: string };

/** What an operation returned: the value read, or whether a cas succeeded. */
export type KvResult = { kind: 'ok' } | { kind: 'value'; value: string | null } | { kind: 'cas'; ok: boolean };

export interface KvCommand {
  client: number;
  seq: number;
  op: KvOp;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export function encodeCommand(c: KvCommand): Uint8Array {
  return enc.encode(JSON.stringify(c));
}

/** Decodes a client command; other data (test commands, no-ops) is not one: null. */
export function decodeCommand(b: Uint8Array): KvCommand | null {
  // 0x7b is '{': every encoded command is a JSON object.
  if (b.length === 0 || b[0] !== 0x7b) return null;
  return JSON.parse(dec.decode(b)) as KvCommand;
}

/** Applies `op` to a register holding `state`; the model the linearizability checker uses too. */
export function applyOp(state: string | null, op: KvOp): { state: string | null; result: KvResult } {
  switch (op.kind) {
    case 'put':
      return { state: op.value, result: { kind: 'ok' } };
    case 'get':
      return { state, result: { kind: 'value', value: state } };
    case 'cas':
      return state === op.expected ? { state: op.value, result: { kind: 'cas', ok: true } } : { state, result: { kind: 'cas', ok: false } };
  }
}

export class KvStore {
  private data = new Map<string, string>();
  private sessions = new Map<number, { seq: number; result: KvResult }>();

  /** Applies a command; returns its result, or null for a stale command of an abandoned op. */
  apply(c: KvCommand): KvResult | null {
    const session = this.sessions.get(c.client);
    if (session !== undefined) {
      if (c.seq === session.seq) return session.result;
      if (c.seq < session.seq) return null;
    }
    const { state, result } = applyOp(this.data.get(c.op.key) ?? null, c.op);
    if (state === null) this.data.delete(c.op.key);
    else this.data.set(c.op.key, state);
    this.sessions.set(c.client, { seq: c.seq, result });
    return result;
  }

  get(key: string): string | null {
    return this.data.get(key) ?? null;
  }

  snapshot(): Uint8Array {
    return enc.encode(JSON.stringify({ data: [...this.data], sessions: [...this.sessions] }));
  }

  static restore(b: Uint8Array): KvStore {
    const kv = new KvStore();
    if (b.length === 0) return kv;
    const parsed = JSON.parse(dec.decode(b)) as { data: [string, string][]; sessions: [number, { seq: number; result: KvResult }][] };
    kv.data = new Map(parsed.data);
    kv.sessions = new Map(parsed.sessions);
    return kv;
  }
}
