import { PassThrough } from 'node:stream';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { createTheme, ReplApp, runPlainRepl, splitTyped, toKeyInputs } from '../../repl/index.js';
import { createReplSession, stripAnsi, type ReplSession } from '../../src/repl-client/index.js';
import { createFakeCluster, type FakeCluster } from './fake-cluster.js';
import { waitFor } from './wait-for.js';

const fast = { pollIntervalMs: 100, pollTimeoutMs: 1000, resumeDelayMs: 20 };
let cluster: FakeCluster | null = null;
let session: ReplSession | null = null;

afterEach(async () => {
  await session?.stop();
  await cluster?.stop();
  session = null;
  cluster = null;
});

async function setUp(): Promise<{ c: FakeCluster; s: ReplSession }> {
  cluster = createFakeCluster(['a', 'b']);
  await cluster.start();
  cluster.addJob({ id: 'j1', node: 'b' });
  cluster.appendLog('j1', '▶ make\n\u001b[35mbuilding\u001b[0m\n');
  session = createReplSession({ url: cluster.nodes[0]!.url, ...fast });
  session.start();
  await waitFor(session.store, (x) => x.header.attachedName === 'a' && x.jobs.length === 1);
  return { c: cluster, s: session };
}

/** Waits until the app's last frame satisfies `pred` (ink renders after the store changes). */
async function frameWhere(r: ReturnType<typeof render>, pred: (f: string) => boolean, what: string, timeoutMs = 5000): Promise<string> {
  const seen = (): string => stripAnsi(r.lastFrame() ?? '');
  if (pred(seen())) return seen();
  return new Promise((resolve, reject) => {
    // ink-testing-library's stdout records frames through write(); wrap it to hear each one.
    const write = r.stdout.write;
    const restore = (): void => { r.stdout.write = write; };
    const timer = setTimeout(() => { restore(); reject(new Error(`timed out waiting for ${what}; last frame:\n${seen()}`)); }, timeoutMs);
    r.stdout.write = (frame: string) => {
      write(frame);
      if (!pred(seen())) return;
      clearTimeout(timer);
      restore();
      resolve(seen());
    };
  });
}

describe('ReplApp', () => {
  it('takes keys from the terminal, runs commands and follows a log, drawing only the store', async () => {
    const { c, s } = await setUp();
    const r = render(<ReplApp session={s} theme={createTheme(false)} />);
    try {
      await frameWhere(r, (f) => f.includes('cairn │ leader a · term 3'), 'header');
      r.stdin.write('logs j1 -f\r');
      let f = await frameWhere(r, (x) => x.includes('j1 │ building'), 'log line');
      expect(f).toContain('─ j1 steps');
      expect(f).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] make/);
      c.appendLog('j1', '✓ make (2.00 s)\n');
      f = await frameWhere(r, (x) => x.includes('✓ make'), 'step end');
      expect(f).toMatch(/✓ make +2\.0s/);
      r.stdin.write('st\t');
      await frameWhere(r, (x) => x.includes('cairn› status _'), 'completion');
      r.stdin.write('\u0015');
      await frameWhere(r, (x) => x.includes('cairn› _'), 'kill line');
      r.stdin.write('\u0004');
      await waitFor(s.store, (x) => x.quit, 5000, 'quit');
    } finally {
      r.unmount();
    }
  });
});

describe('keys', () => {
  const none = { upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false };
  it('maps ink key events, and splits text that holds several keys', () => {
    expect(toKeyInputs('', { ...none, return: true })).toEqual([{ kind: 'enter' }]);
    expect(toKeyInputs('', { ...none, delete: true })).toEqual([{ kind: 'backspace' }]);
    expect(toKeyInputs('u', { ...none, ctrl: true })).toEqual([{ kind: 'kill-line' }]);
    expect(toKeyInputs('x', { ...none, ctrl: true })).toEqual([]);
    expect(toKeyInputs('[A', { ...none, meta: true })).toEqual([]);
    expect(toKeyInputs('jobs\rlogs j1 -f\r\n', none)).toEqual([
      { kind: 'text', text: 'jobs' }, { kind: 'enter' }, { kind: 'text', text: 'logs j1 -f' }, { kind: 'enter' },
    ]);
    expect(splitTyped('st\t\u0015help\u001b[A\u001b[Dx\u0007')).toEqual([
      { kind: 'text', text: 'st' }, { kind: 'tab' }, { kind: 'kill-line' }, { kind: 'text', text: 'help' }, { kind: 'up' }, { kind: 'left' }, { kind: 'text', text: 'x' },
    ]);
  });
});

describe('plain mode (stdin and stdout not terminals)', () => {
  it('runs commands from lines, prints answers and the log as plain text, and returns the last error code', async () => {
    const { c, s } = await setUp();
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (b: Buffer) => { text += b.toString(); });
    const done = runPlainRepl({ session: s, theme: createTheme(false), input, output, columns: 100 });
    input.end('jobs\nlogs j1 -f\nstatus nope\n');
    // At the end of the input it waits for the live follow: end the job.
    await waitFor(s.store, (x) => x.output.length === 3, 5000, 'three answers');
    c.appendLog('j1', 'done\n');
    c.endJob('j1', 'succeeded');
    expect(await done).toBe(2);
    expect(text).not.toContain('\u001b');
    expect(text).toContain('› jobs\nJOB NAME  STATE     NODE # WHY / LABELS\nj1  build ● running b    1 os=linux\n');
    expect(text).toContain('j1 │ building\n');
    expect(text).toContain('j1 │ done\n');
    expect(text).toContain('✗ no job or run nope [NOT_FOUND]');
  });
});
