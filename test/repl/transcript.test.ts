import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordTranscript } from '../../repl/index.js';
import { createReplSession, type LogLine } from '../../src/repl-client/index.js';

let dir = '';
afterEach(() => { if (dir !== '') rmSync(dir, { recursive: true, force: true }); });

describe('recordTranscript', () => {
  it('writes each log line once (colour stripped), each header change, each event', () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-transcript-'));
    const file = join(dir, 't.txt');
    // Never started: no request is made, the store is driven by hand.
    const session = createReplSession({ url: 'http://127.0.0.1:9', now: () => 0 });
    const stop = recordTranscript(session, file);
    const l1: LogLine = { job: '1.1', seq: 0, text: '\u001b[32mone\u001b[0m' };
    const l2: LogLine = { job: '1.1', seq: 1, text: 'two' };
    session.store.update((s) => ({ ...s, log: [l1] }));
    session.store.update((s) => ({ ...s, header: { ...s.header, leader: 'b', term: 4, attachedName: 'b', connection: 'attached' } }));
    session.store.update((s) => ({ ...s, log: [...s.log, l2], events: [{ at: 0, kind: 'leader-changed', text: 'leader is now b', tone: 'warn' }] }));
    // A redraw that changes nothing recorded writes nothing.
    session.store.update((s) => ({ ...s, now: 5 }));
    stop();
    session.store.update((s) => ({ ...s, log: [...s.log, { job: '1.1', seq: 2, text: 'after stop' }] }));
    expect(readFileSync(file, 'utf8').split('\n')).toEqual([
      'header leader=- term=0 attached=http://127.0.0.1:9 connection=connecting',
      'log 1.1 0 one',
      'header leader=b term=4 attached=b connection=attached',
      'event leader-changed leader is now b',
      'log 1.1 1 two',
      '',
    ]);
  });
});
