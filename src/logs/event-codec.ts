import { CairnError } from '../util/errors.js';
import { customEventDataBytesMax, customEventNameBytesMax, eventBytesMax, jobIdBytesMax } from './constants.js';
import type { CairnEvent, EventKind } from './event.js';

/**
 * Events travel as small JSON documents (`{"v":1,"kind":...}`): they are rare, and readable
 * bytes make a captured gossip trace easy to inspect. Decoding validates every field, since
 * the bytes come from peers.
 */

type FieldType = 'string' | 'int' | 'int|null' | 'string|null';

/** The fields of each kind besides `kind` and `timeMs`; exhaustive, so a new kind must be listed. */
const schema: { [K in EventKind]: Record<string, FieldType> } = {
  'job-queued': { job: 'string', name: 'string' },
  'job-started': { job: 'string', attempt: 'int', node: 'string' },
  'job-finished': { job: 'string', attempt: 'int', node: 'string', durationMs: 'int' },
  'job-failed': { job: 'string', attempt: 'int', node: 'string', exitCode: 'int|null', reason: 'string' },
  'job-cancelled': { job: 'string', attempt: 'int|null' },
  'job-retried': { job: 'string', attempt: 'int', reason: 'string' },
  'node-joined': { node: 'string' },
  'node-left': { node: 'string' },
  'node-down': { node: 'string' },
  'leader-changed': { leader: 'string|null', term: 'int' },
  custom: { job: 'string', attempt: 'int', name: 'string', data: 'string' },
};

const eventVersion = 1;
const utf8 = new TextEncoder();
const utf8d = new TextDecoder('utf-8', { fatal: true });

/** Encodes an event; a custom event whose data is too large is the caller's operating error. */
export function encodeEvent(e: CairnEvent): Uint8Array {
  checkEvent(e as unknown as Record<string, unknown>);
  const bytes = utf8.encode(JSON.stringify({ v: eventVersion, ...e }));
  if (bytes.byteLength > eventBytesMax) {
    throw new CairnError('PAYLOAD_TOO_LARGE', `event of ${bytes.byteLength} bytes exceeds ${eventBytesMax}`, { kind: e.kind, bytes: bytes.byteLength });
  }
  return bytes;
}

/** Decodes and validates an event; INVALID_INPUT for anything malformed or of an unknown kind. */
export function decodeEvent(bytes: Uint8Array): CairnEvent {
  if (bytes.byteLength > eventBytesMax) throw bad(`event of ${bytes.byteLength} bytes exceeds ${eventBytesMax}`);
  let doc: unknown;
  try {
    doc = JSON.parse(utf8d.decode(bytes));
  } catch {
    throw bad('event is not UTF-8 JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw bad('event is not an object');
  const { v, ...rest } = doc as Record<string, unknown>;
  if (v !== eventVersion) throw bad(`unsupported event version ${String(v)}`);
  checkEvent(rest);
  // Only the fields the schema names are kept: a newer publisher's extra fields are dropped.
  const kind = rest['kind'] as EventKind;
  const out: Record<string, unknown> = { kind, timeMs: rest['timeMs'] };
  for (const f of Object.keys(schema[kind])) out[f] = rest[f];
  return out as unknown as CairnEvent;
}

function checkEvent(e: Record<string, unknown>): void {
  const kind = e['kind'];
  if (typeof kind !== 'string' || !Object.hasOwn(schema, kind)) throw bad(`unknown event kind ${JSON.stringify(kind)}`);
  const fields = schema[kind as EventKind];
  if (!isInt(e['timeMs'])) throw bad(`${kind}: timeMs must be an integer`);
  for (const [name, type] of Object.entries(fields)) {
    const value = e[name];
    const ok =
      type === 'string' ? typeof value === 'string' :
      type === 'int' ? isInt(value) :
      type === 'int|null' ? value === null || isInt(value) :
      value === null || typeof value === 'string';
    if (!ok) throw bad(`${kind}: ${name} must be ${type}`);
  }
  if (typeof e['job'] === 'string' && e['job'].length > jobIdBytesMax) throw bad(`${kind}: job id too long`);
  if (kind === 'custom') {
    if (!customEventNamePattern.test(e['name'] as string)) throw bad(`custom event name must match ${customEventNamePattern}`);
    if (utf8.encode(e['data'] as string).byteLength > customEventDataBytesMax) {
      throw new CairnError('PAYLOAD_TOO_LARGE', `custom event data exceeds ${customEventDataBytesMax} bytes`, { name: e['name'] });
    }
  }
}

/** A custom event's name: a word of letters, digits, `_`, `.` or `-`. */
export const customEventNamePattern = new RegExp(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,${customEventNameBytesMax - 1}}$`);

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

function bad(message: string): CairnError {
  return new CairnError('INVALID_INPUT', message, {});
}
