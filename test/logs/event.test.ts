import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeEvent,
  dispatchEvent,
  encodeEvent,
  EventCommandScanner,
  type FindBytes,
  parseEventCommand,
  customEventDataBytesMax,
  type CairnEvent,
  type EventHandlers,
} from '../../src/logs/index.js';
import { CairnError } from '../../src/util/errors.js';

const t = 1_700_000_000_000;
const examples: CairnEvent[] = [
  { kind: 'job-queued', job: 'j1', name: 'build', timeMs: t },
  { kind: 'job-started', job: 'j1', attempt: 1, node: 'n1', timeMs: t },
  { kind: 'job-finished', job: 'j1', attempt: 1, node: 'n1', durationMs: 1234, timeMs: t },
  { kind: 'job-failed', job: 'j1', attempt: 1, node: 'n1', exitCode: null, reason: 'killed', timeMs: t },
  { kind: 'job-cancelled', job: 'j1', attempt: null, timeMs: t },
  { kind: 'job-retried', job: 'j1', attempt: 2, reason: 'node-lost', timeMs: t },
  { kind: 'node-joined', node: 'n2', timeMs: t },
  { kind: 'node-left', node: 'n2', timeMs: t },
  { kind: 'node-down', node: 'n2', timeMs: t },
  { kind: 'leader-changed', leader: null, term: 7, timeMs: t },
  { kind: 'custom', job: 'j1', attempt: 1, name: 'coverage', data: '87.5%\nok', timeMs: t },
];

describe('event codec', () => {
  it.each(examples)('round-trips $kind', (e) => {
    expect(decodeEvent(encodeEvent(e))).toEqual(e);
  });

  it('dispatches through an exhaustive handler table', () => {
    const handlers: EventHandlers<string> = {
      'job-queued': (e) => `queued ${e.name}`,
      'job-started': (e) => `started on ${e.node}`,
      'job-finished': (e) => `finished in ${e.durationMs}`,
      'job-failed': (e) => `failed: ${e.reason}`,
      'job-cancelled': (e) => `cancelled ${e.attempt ?? '-'}`,
      'job-retried': (e) => `retry ${e.attempt}`,
      'node-joined': (e) => `+${e.node}`,
      'node-left': (e) => `-${e.node}`,
      'node-down': (e) => `!${e.node}`,
      'leader-changed': (e) => `leader ${e.leader ?? 'none'} term ${e.term}`,
      custom: (e) => `${e.name}=${e.data}`,
    };
    expect(examples.map((e) => dispatchEvent(e, handlers))).toEqual([
      'queued build', 'started on n1', 'finished in 1234', 'failed: killed', 'cancelled -', 'retry 2',
      '+n2', '-n2', '!n2', 'leader none term 7', 'coverage=87.5%\nok',
    ]);
  });

  it('drops unknown fields and refuses malformed events', () => {
    const extra = new TextEncoder().encode(JSON.stringify({ v: 1, kind: 'node-down', node: 'x', timeMs: 1, future: true }));
    expect(decodeEvent(extra)).toEqual({ kind: 'node-down', node: 'x', timeMs: 1 });
    const bad = [
      'not json',
      JSON.stringify({ v: 2, kind: 'node-down', node: 'x', timeMs: 1 }),
      JSON.stringify({ v: 1, kind: 'nope', timeMs: 1 }),
      JSON.stringify({ v: 1, kind: 'node-down', timeMs: 1 }),
      JSON.stringify({ v: 1, kind: 'job-started', job: 'j', attempt: 1.5, node: 'n', timeMs: 1 }),
      JSON.stringify({ v: 1, kind: 'custom', job: 'j', attempt: 1, name: 'bad name', data: '', timeMs: 1 }),
      JSON.stringify([1]),
    ];
    for (const b of bad) expect(() => decodeEvent(new TextEncoder().encode(b))).toThrow(CairnError);
    expect(() => encodeEvent({ kind: 'custom', job: 'j', attempt: 1, name: 'n', data: 'x'.repeat(customEventDataBytesMax + 1), timeMs: 1 })).toThrow(
      /exceeds/,
    );
  });
});

describe('::cairn-event command', () => {
  it.each([
    ['::cairn-event coverage::87%', { name: 'coverage', data: '87%' }],
    ['::cairn-event deploy.url::https://x/y?a=b::c\r', { name: 'deploy.url', data: 'https://x/y?a=b::c' }],
    ['::cairn-event multi::a%0Ab%0D%0Ac%25', { name: 'multi', data: 'a\nb\r\nc%' }],
    ['::cairn-event empty::', { name: 'empty', data: '' }],
    ['::cairn-event bad name::x', null],
    ['::cairn-event ::x', null],
    ['::cairn-event nosep', null],
    ['  ::cairn-event indented::x', null],
    ['::add-mask::x', null],
    [`::cairn-event big::${'x'.repeat(customEventDataBytesMax + 1)}`, null],
  ] as const)('%s', (line, want) => {
    expect(parseEventCommand(line)).toEqual(want);
  });

  it('finds commands in a stream split anywhere, without changing it, binary included', () => {
    const text = 'build ok\n::cairn-event a::1\nno ::cairn-event b::2\n\xff\xfe::x\n::cairn-event c::3';
    const bytes = new Uint8Array([...text].map((ch) => ch.charCodeAt(0)));
    for (let split = 0; split <= bytes.length; split++) {
      const s = new EventCommandScanner();
      const found = [...s.push(bytes.subarray(0, split)), ...s.push(bytes.subarray(split)), ...s.flush()];
      expect(found).toEqual([
        { name: 'a', data: '1' },
        { name: 'c', data: '3' },
      ]);
    }
    // Byte at a time too.
    const s = new EventCommandScanner();
    const found = [...bytes].flatMap((b) => s.push(new Uint8Array([b])));
    expect([...found, ...s.flush()].map((c) => c.name)).toEqual(['a', 'c']);
  });

  /** What the log service passes: Buffer's native search. */
  const nativeFind: FindBytes = (h, n, from) => Buffer.from(h.buffer, h.byteOffset, h.byteLength).indexOf(n, from);

  it.each([
    ['the pure search', undefined],
    ['a native search', nativeFind],
  ] as const)('property: matches a line-by-line oracle however the stream is split, with %s, keeping none of the bytes it is handed', (_name, find) => {
    const line = fc.oneof(
      fc.constantFrom('::cairn-event a::1', '::cairn-event b.c::x%0Ay', '::cairn-event bad name::z', ':: cairn', 'warning: x', '::add-mask::s', ''),
      fc.string({ maxLength: 30 }),
      fc.tuple(fc.constantFrom('::cairn-event ', ':', '::'), fc.string({ maxLength: 10 })).map(([a, b]) => a + b),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 6 }), fc.boolean(), (lines, cuts, crlf) => {
        const text = lines.join(crlf ? '\r\n' : '\n');
        const bytes = new TextEncoder().encode(text);
        const want = text.split('\n').map(parseEventCommand).filter((c) => c !== null);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const s = new EventCommandScanner(find);
        const got = [];
        let at = 0;
        for (const p of [...points, bytes.length]) {
          // Bytes are valid only during push (the job log reuses its memory): each piece is
          // overwritten once pushed. The log service hands on Buffers, whose slice() is a view.
          const piece = find === undefined ? bytes.slice(at, p) : Buffer.from(bytes.subarray(at, p));
          got.push(...s.push(piece));
          piece.fill(0x3a);
          at = p;
        }
        got.push(...s.flush());
        expect(got).toEqual(want);
      }),
    );
  });

  it('ignores a command line longer than its limit', () => {
    const s = new EventCommandScanner();
    const long = new TextEncoder().encode(`::cairn-event x::${'y'.repeat(100_000)}\n::cairn-event z::1\n`);
    expect(s.push(long)).toEqual([{ name: 'z', data: '1' }]);
  });
});
