/**
 * End to end: `cairn repl` from the built CLI, inside tmux (send-keys, capture-pane), against
 * two API servers in a child process that share one in-memory cluster. It follows a job's log,
 * the leader's node is killed, and the header must name the other node while the log carries
 * on with no gap and no duplicate. (To be switched to a real 3-node cluster: see
 * test/node/cluster-harness.ts.)
 */
import { spawn, execFileSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const cairnBin = process.env.CAIRN_BIN ?? resolve(root, 'dist/cairn.js');
/** A tmux server of our own, so the test never touches anyone else's sessions. */
const socket = `cairn-repl-e2e-${process.pid}`;
const session = 'repl';
/** Bounds on every wait: generous for a loaded 2-core machine, still far below the test timeout. */
const startMs = 15_000;
const stepMs = 10_000;
const panePollMs = 100;

let cluster: ChildProcessWithoutNullStreams | null = null;
let clusterOut = '';
let urls: Record<string, string> = {};

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', timeout: 5000 });
}

function pane(colours = false): string {
  return tmux('capture-pane', '-p', ...(colours ? ['-e'] : []), '-t', session);
}

/** Waits until the pane shows what `pred` wants; there is no event for a redraw, so it looks every 100 ms, bounded. */
async function paneWhere(pred: (text: string) => boolean, what: string, timeoutMs = stepMs): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = pane();
    if (pred(text)) return text;
    await new Promise((r) => setTimeout(r, panePollMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; the pane shows:\n${text}`);
}

/** Resolves with the cluster's output up to and including `marker`, once it has printed it. */
function clusterPrinted(marker: string, what: string): Promise<string> {
  const c = cluster!;
  return new Promise((resolvePromise, reject) => {
    const check = (): void => {
      const at = clusterOut.indexOf(marker);
      if (at < 0) return;
      const said = clusterOut.slice(0, at + marker.length);
      clusterOut = clusterOut.slice(at + marker.length);
      done();
      resolvePromise(said);
    };
    const timer = setTimeout(() => { done(); reject(new Error(`timed out waiting for ${what}; the cluster said: ${clusterOut}`)); }, startMs);
    const done = (): void => { clearTimeout(timer); c.stdout.off('data', check); };
    c.stdout.on('data', check);
    check();
  });
}

/** Sends a control line to the fake cluster and waits for its "ok". */
async function control(line: string): Promise<void> {
  cluster!.stdin.write(`${line}\n`);
  await clusterPrinted(`ok ${line}\n`, `the cluster to do "${line}"`);
}

beforeAll(async () => {
  expect(existsSync(cairnBin), `${cairnBin} is missing: run npm run build`).toBe(true);
  cluster = spawn(process.execPath, ['--import', 'tsx', resolve(here, 'fake-cluster-main.ts'), 'a,b'], { cwd: root });
  cluster.stdout.setEncoding('utf8');
  cluster.stdout.on('data', (d: string) => { clusterOut += d; });
  const first = await clusterPrinted('\n', 'the fake cluster to listen');
  urls = (JSON.parse(first) as { urls: Record<string, string> }).urls;
}, startMs + 5000);

afterAll(async () => {
  try { tmux('kill-server'); } catch { /* already gone with its last session */ }
  if (cluster !== null && cluster.exitCode === null) {
    const exited = new Promise((r) => cluster!.once('exit', r));
    cluster.stdin.end('quit\n');
    const timer = setTimeout(() => cluster?.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
});

describe('cairn repl in tmux', () => {
  it('follows a log across the death of the node it is attached to', async () => {
    await control('job j1 b');
    await control('log j1 ▶ compile');
    await control('log j1 \u001b[32mfirst line\u001b[0m');
    // Colour on whatever the test's environment says: the test checks the build's colour gets through.
    const cmd = `env -u NO_COLOR '${process.execPath}' '${cairnBin}' --api ${urls.a} repl`;
    tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '40', cmd);

    await paneWhere((t) => t.includes('cairn e2e │ leader a · term 3 │ attached to a'), 'the header');
    tmux('send-keys', '-t', session, 'jobs', 'Enter');
    await paneWhere((t) => /j1 +build +● running +b/.test(t) && t.includes('› jobs'), 'the job list');
    tmux('send-keys', '-t', session, 'logs j1 -f', 'Enter');
    await paneWhere((t) => t.includes('j1 │ first line'), 'the log');
    // The build's own colour reaches the terminal.
    expect(pane(true)).toMatch(/\u001b\[32mfirst line/);

    await control('kill a');
    await control('log j1 second line');
    const after = await paneWhere((t) => t.includes('leader b · term 4 │ attached to b') && t.includes('j1 │ second line'), 'the reattached header and the log after it');
    expect(after).toContain('reattached to b (a stopped answering)');
    expect(after).toMatch(/✗ a down/);
    expect(after.split('\n').filter((l) => l.includes('j1 │')).map((l) => l.trim())).toEqual(['j1 │ ▶ compile', 'j1 │ first line', 'j1 │ second line']);

    await control('end j1 succeeded');
    await paneWhere((t) => t.includes('j1 ended'), 'the end of the follow');
    tmux('send-keys', '-t', session, 'C-d');
    const deadline = Date.now() + stepMs;
    let alive = true;
    while (alive && Date.now() < deadline) {
      try { tmux('has-session', '-t', session); await new Promise((r) => setTimeout(r, panePollMs)); } catch { alive = false; }
    }
    expect(alive).toBe(false);
  }, 60_000);
});
