import { describe, expect, it } from 'vitest';
import { LineEditor, complete, type KeyInput } from '../../src/repl-client/index.js';
import { completionCandidatesMax } from '../../src/repl-client/completion.js';
import { inputHistoryMax } from '../../src/repl-client/constants.js';

const sources = { jobs: ['7.1', '7.2', '10.1', 'j1'], nodes: ['alpha', 'beta'] };

describe('complete', () => {
  it.each([
    ['', ['nodes', 'jobs', 'submit', 'logs', 'status', 'why', 'cancel', 'retry', 'history', 'labels', 'leader', 'help', 'quit'].sort(), ''],
    ['l', ['labels', 'leader', 'logs'], 'l'],
    ['le', [], 'leader '],
    ['logs 7', ['7.1', '7.2'], 'logs 7.'],
    ['logs 7.2', [], 'logs 7.2 '],
    ['logs 7.2 -', ['--follow', '-f'], 'logs 7.2 -'],
    ['status 1', [], 'status 10.1 '],
    ['labels a', [], 'labels alpha '],
    ['labels alpha +', [], 'labels alpha +'],
    ['status 7.1 ', [], 'status 7.1 '],
    ['frob x', [], 'frob x'],
    ['jobs x', [], 'jobs x'],
  ])('"%s"', (text, candidates, after) => {
    const r = complete(text, text.length, sources);
    expect(r.candidates).toEqual(candidates);
    expect(r.text).toBe(after);
    expect(r.cursor).toBe(after.length);
  });

  it('completes the word under the cursor and keeps the rest', () => {
    expect(complete('sta 7.1', 3, sources)).toEqual({ text: 'status 7.1', cursor: 7, candidates: [] });
  });

  it('sorts job ids by number and bounds the list', () => {
    const jobs = Array.from({ length: 50 }, (_, i) => `${i + 1}.1`);
    const r = complete('logs ', 5, { jobs, nodes: [] });
    expect(r.candidates).toHaveLength(completionCandidatesMax);
    expect(r.candidates.slice(0, 3)).toEqual(['1.1', '2.1', '3.1']);
  });
});

describe('LineEditor', () => {
  const type = (e: LineEditor, keys: Array<KeyInput | string>): Array<string | null> =>
    keys.map((k) => e.key(typeof k === 'string' ? { kind: 'text', text: k } : k, sources));

  it('inserts, deletes and moves', () => {
    const e = new LineEditor();
    type(e, ['jbs', { kind: 'left' }, { kind: 'left' }, 'o']);
    expect(e.view()).toEqual({ text: 'jobs', cursor: 2, candidates: [] });
    type(e, [{ kind: 'home' }, { kind: 'delete' }, { kind: 'end' }, { kind: 'backspace' }]);
    expect(e.view()).toMatchObject({ text: 'ob', cursor: 2 });
    type(e, [' x y', { kind: 'kill-word' }]);
    expect(e.view().text).toBe('ob x ');
    type(e, [{ kind: 'kill-line' }]);
    expect(e.view()).toMatchObject({ text: '', cursor: 0 });
  });

  it('keeps the first line of pasted text and drops control characters', () => {
    const e = new LineEditor();
    type(e, ['jobs\u0007\nquit\n']);
    expect(e.view().text).toBe('jobs');
  });

  it('walks history with up and down, keeping the line being typed', () => {
    const e = new LineEditor();
    expect(type(e, ['jobs', { kind: 'enter' }, 'nodes', { kind: 'enter' }, 'nodes', { kind: 'enter' }, 'lea'])).toEqual([null, 'jobs', null, 'nodes', null, 'nodes', null]);
    expect(e.history).toEqual(['jobs', 'nodes']);
    type(e, [{ kind: 'up' }]);
    expect(e.view().text).toBe('nodes');
    type(e, [{ kind: 'up' }, { kind: 'up' }]);
    expect(e.view()).toMatchObject({ text: 'jobs', cursor: 4 });
    type(e, [{ kind: 'down' }, { kind: 'down' }]);
    expect(e.view().text).toBe('lea');
    type(e, [{ kind: 'down' }]);
    expect(e.view().text).toBe('lea');
  });

  it('bounds the history', () => {
    const e = new LineEditor();
    for (let i = 0; i < inputHistoryMax + 10; i++) type(e, [`status ${i}`, { kind: 'enter' }]);
    expect(e.history).toHaveLength(inputHistoryMax);
    expect(e.history[0]).toBe('status 10');
  });

  it('completes with tab and lists candidates until the next key', () => {
    const e = new LineEditor();
    type(e, ['logs 7', { kind: 'tab' }]);
    expect(e.view()).toEqual({ text: 'logs 7.', cursor: 7, candidates: ['7.1', '7.2'] });
    type(e, ['2']);
    expect(e.view().candidates).toEqual([]);
  });
});
