/**
 * What a cairn log entry carries besides the command: the proposer's clock (the cluster state
 * takes time only from entries, so every node applies the same time) and a request id, so the
 * proposer can recognise its own command when it is applied and hand back the result.
 *
 * Layout: a JSON header `{"t":ms,"r":"id"|null}`, a newline, then the encoded command.
 */
const NEWLINE = 0x0a;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface Envelope {
  timeMs: number;
  requestId: string | null;
  command: Uint8Array;
}

export function encodeEnvelope(e: Envelope): Uint8Array {
  const head = encoder.encode(JSON.stringify({ t: e.timeMs, r: e.requestId }));
  const out = new Uint8Array(head.length + 1 + e.command.length);
  out.set(head, 0);
  out[head.length] = NEWLINE;
  out.set(e.command, head.length + 1);
  return out;
}

/** Decodes an entry; an entry that is not an envelope (Raft's empty no-op) gives null. */
export function decodeEnvelope(data: Uint8Array): Envelope | null {
  if (data.length === 0) return null;
  const nl = data.indexOf(NEWLINE);
  if (nl < 0) return null;
  let head: { t?: unknown; r?: unknown };
  try {
    head = JSON.parse(decoder.decode(data.subarray(0, nl))) as { t?: unknown; r?: unknown };
  } catch {
    return null;
  }
  if (typeof head.t !== 'number') return null;
  return { timeMs: head.t, requestId: typeof head.r === 'string' ? head.r : null, command: data.subarray(nl + 1) };
}
