/**
 * The wire format of Raft messages: compact binary, one version byte, then a kind code, the
 * common header (from, to, term) and the kind's fields. Varints for numbers. Decoding returns
 * entry and snapshot data as views into the input buffer: nothing is copied.
 */
import { CairnError } from '../util/errors.js';
import { ByteReader, ByteWriter } from './bytes.js';
import { messageTypes, type Message, type MessageType } from './message.js';
import type { ConfState, Entry, EntryType, Snapshot } from './types.js';

/** Bumped on an incompatible change; a node refuses messages of another version. */
export const wireVersion = 1;

const typeCodes = new Map<MessageType, number>(messageTypes.map((t, i) => [t, i + 1]));
const entryTypeCodes: Readonly<Record<EntryType, number>> = { normal: 0, 'conf-change': 1 };

function writeEntry(w: ByteWriter, e: Entry): void {
  w.uint(e.term);
  w.uint(e.index);
  w.u8(entryTypeCodes[e.type]);
  w.bytes(e.data);
}

function readEntry(r: ByteReader): Entry {
  const term = r.uint();
  const index = r.uint();
  const code = r.u8();
  if (code > 1) throw new CairnError('INVALID_INPUT', 'malformed raft message: bad entry type', {});
  return { term, index, type: code === 0 ? 'normal' : 'conf-change', data: r.bytes() };
}

function writeEntries(w: ByteWriter, ents: readonly Entry[]): void {
  w.uint(ents.length);
  for (const e of ents) writeEntry(w, e);
}

function readEntries(r: ByteReader): Entry[] {
  const n = r.uint();
  const out: Entry[] = [];
  for (let i = 0; i < n; i++) out.push(readEntry(r));
  return out;
}

function writeConf(w: ByteWriter, c: ConfState): void {
  w.uint(c.voters.length);
  for (const v of c.voters) w.str(v);
  w.uint(c.learners.length);
  for (const l of c.learners) w.str(l);
}

function readConf(r: ByteReader): ConfState {
  const voters: string[] = [];
  for (let n = r.uint(); n > 0; n--) voters.push(r.str());
  const learners: string[] = [];
  for (let n = r.uint(); n > 0; n--) learners.push(r.str());
  return { voters, learners };
}

function writeSnapshot(w: ByteWriter, s: Snapshot): void {
  w.uint(s.meta.index);
  w.uint(s.meta.term);
  writeConf(w, s.meta.conf);
  w.bytes(s.data);
}

function readSnapshot(r: ByteReader): Snapshot {
  const index = r.uint();
  const term = r.uint();
  const conf = readConf(r);
  return { meta: { index, term, conf }, data: r.bytes() };
}

function writeContext(w: ByteWriter, ctx: Uint8Array | null): void {
  w.bool(ctx !== null);
  if (ctx !== null) w.bytes(ctx);
}

function readContext(r: ByteReader): Uint8Array | null {
  return r.bool() ? r.bytes() : null;
}

/** A size estimate so the writer allocates once for typical messages. */
function sizeHint(m: Message): number {
  let n = 64;
  if (m.type === 'app' || m.type === 'prop') for (const e of m.entries) n += e.data.length + 24;
  if (m.type === 'snap') n += m.snapshot.data.length + 64 * (m.snapshot.meta.conf.voters.length + m.snapshot.meta.conf.learners.length);
  return n;
}

/** Encodes a message for the wire. */
export function encodeMessage(m: Message): Uint8Array {
  const w = new ByteWriter(sizeHint(m));
  w.u8(wireVersion);
  w.u8(typeCodes.get(m.type)!);
  w.str(m.from);
  w.str(m.to);
  w.uint(m.term);
  switch (m.type) {
    case 'app':
      w.uint(m.index);
      w.uint(m.logTerm);
      w.uint(m.commit);
      writeEntries(w, m.entries);
      break;
    case 'app-resp':
      w.uint(m.index);
      w.bool(m.reject);
      w.uint(m.rejectHint);
      w.uint(m.logTerm);
      break;
    case 'vote':
      w.uint(m.index);
      w.uint(m.logTerm);
      w.bool(m.transfer);
      break;
    case 'pre-vote':
      w.uint(m.index);
      w.uint(m.logTerm);
      break;
    case 'vote-resp':
    case 'pre-vote-resp':
      w.bool(m.reject);
      break;
    case 'heartbeat':
      w.uint(m.commit);
      writeContext(w, m.context);
      break;
    case 'heartbeat-resp':
      writeContext(w, m.context);
      break;
    case 'snap':
      writeSnapshot(w, m.snapshot);
      break;
    case 'timeout-now':
      break;
    case 'prop':
      writeEntries(w, m.entries);
      break;
    case 'transfer-leader':
      w.str(m.transferee);
      break;
    case 'read-index':
      w.bytes(m.context);
      break;
    case 'read-index-resp':
      w.uint(m.index);
      w.bytes(m.context);
      break;
  }
  return w.finish();
}

/** Decodes a message from the wire; throws CairnError INVALID_INPUT on anything malformed. */
export function decodeMessage(bytes: Uint8Array): Message {
  const r = new ByteReader(bytes);
  const version = r.u8();
  if (version !== wireVersion) throw new CairnError('INVALID_INPUT', `unsupported raft wire version ${version}`, { version });
  const type = messageTypes[r.u8() - 1];
  if (type === undefined) throw new CairnError('INVALID_INPUT', 'malformed raft message: unknown type', {});
  const from = r.str();
  const to = r.str();
  const term = r.uint();
  const h = { from, to, term };
  let m: Message;
  switch (type) {
    case 'app':
      m = { type, ...h, index: r.uint(), logTerm: r.uint(), commit: r.uint(), entries: readEntries(r) };
      break;
    case 'app-resp':
      m = { type, ...h, index: r.uint(), reject: r.bool(), rejectHint: r.uint(), logTerm: r.uint() };
      break;
    case 'vote':
      m = { type, ...h, index: r.uint(), logTerm: r.uint(), transfer: r.bool() };
      break;
    case 'pre-vote':
      m = { type, ...h, index: r.uint(), logTerm: r.uint() };
      break;
    case 'vote-resp':
    case 'pre-vote-resp':
      m = { type, ...h, reject: r.bool() };
      break;
    case 'heartbeat':
      m = { type, ...h, commit: r.uint(), context: readContext(r) };
      break;
    case 'heartbeat-resp':
      m = { type, ...h, context: readContext(r) };
      break;
    case 'snap':
      m = { type, ...h, snapshot: readSnapshot(r) };
      break;
    case 'timeout-now':
      m = { type, ...h };
      break;
    case 'prop':
      m = { type, ...h, entries: readEntries(r) };
      break;
    case 'transfer-leader':
      m = { type, ...h, transferee: r.str() };
      break;
    case 'read-index':
      m = { type, ...h, context: r.bytes() };
      break;
    case 'read-index-resp':
      m = { type, ...h, index: r.uint(), context: r.bytes() };
      break;
  }
  r.end();
  return m;
}
