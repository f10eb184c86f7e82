/**
 * End to end against a REAL 3-node cluster (test/node/cluster-harness.ts): `cairn repl` from
 * the built CLI inside tmux, attached first to a follower. It submits a job pinned by label to
 * a node that does not lead, follows its log, the leader is killed with SIGKILL, and the header
 * must name the new leader within a bound while the log carries on to its last line, each line
 * exactly once. The REPL draws on the alternate screen (no scrollback), so the whole log is
 * checked in its transcript (CAIRN_REPL_TRANSCRIPT), and the screen with capture-pane.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, cairnBin, TestCluster, waitFor } from '../node/cluster-harness.js';

/** A tmux server of our own, so the test never touches anyone else's sessions. */
const socket = `cairn-repl-cluster-${process.pid}`;
const session = 'repl';
/** Bounds on the waits: generous for a loaded 2-core machine, far below the test's timeout. */
const replStartMs = 15_000;
const stepMs = 10_000;
/** The header must name the new leader within this long after the kill (election ≤ 3 s, plus polls and a redraw). */
const headerFollowsMs = 8_000;
const logEndMs = 25_000;
const pollMs = 100;
const lineCount = 40;
/**
 * Each line is padded so the log spans many gossip chunks (cut at 50 ms or 64 KiB): the follow
 * crosses chunk boundaries mid-line as well as the kill, and still shows every line once.
 */
const padChars = 3000;

const specs = [
  { name: 'a', labels: ['a'], slots: 2 },
  { name: 'b', labels: ['b'], slots: 2 },
  { name: 'c', labels: ['c'], slots: 2 },
];
let cluster: TestCluster | null = null;
let transcriptFile = '';
let tmuxStarted = false;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'pipe'] });
}

function pane(): string {
  return tmux('capture-pane', '-p', '-t', session);
}

function transcript(): string[] {
  return existsSync(transcriptFile) ? readFileSync(transcriptFile, 'utf8').split('\n') : [];
}

/** Waits for the transcript to hold a line `pred` likes; its last lines go into the error. */
function transcriptLine(pred: (line: string) => boolean, what: string, timeoutMs = stepMs): Promise<string> {
  return waitFor(what, () => {
    const hit = transcript().find(pred);
    if (hit !== undefined) return hit;
    throw new Error(`transcript tail:\n${transcript().slice(-15).join('\n')}\npane:\n${pane()}`);
  }, timeoutMs, pollMs);
}

/** The numbers of the job's `line N` lines in the transcript, in the order shown. */
function numberedLines(job: string): number[] {
  const all = transcript();
  // Lines before the last `reset JOB` were shown before the log was asked for again.
  const reset = all.lastIndexOf(`reset ${job}`);
  return all
    .slice(reset + 1)
    .filter((l) => l.startsWith(`log ${job} `))
    .map((l) => /^log \S+ \d+ line (\d+)\b/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number);
}

beforeAll(async () => {
  cluster = await TestCluster.start(specs, 'cairn-repl-e2e-');
  transcriptFile = join(cluster.dir, 'repl-transcript.txt');
}, 90_000);

afterAll(async () => {
  if (tmuxStarted) {
    try { tmux('kill-server'); } catch { /* already gone with its last session */ }
  }
  await cluster?.dispose();
});

describe('cairn repl against a real 3-node cluster in tmux', () => {
  it('follows a log across kill -9 of the leader: the header names the new leader, the log carries on whole', async () => {
    const c = cluster!;
    const leader = (await c.leader())!;
    const followers = specs.map((s) => s.name).filter((n) => n !== leader);
    // The job runs on one follower; the REPL is pointed at the other one (it moves to the leader by itself).
    const runner = followers[0]!;
    const entry = followers[1]!;
    const file = join(c.dir, 'lines.yml');
    writeFileSync(file, [
      'name: lines',
      'jobs:',
      '  count:',
      `    labels: [${runner}]`,
      '    steps:',
      `      - run: pad=$(printf '%0${padChars}d' 0); for i in $(seq 1 ${lineCount}); do echo "line $i $pad"; sleep 0.1; done`,
      '',
    ].join('\n'));

    const cmd = `env NO_COLOR=1 CAIRN_REPL_TRANSCRIPT='${transcriptFile}' '${process.execPath}' '${cairnBin}' --api ${c.node(entry).apiUrl} repl`;
    tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '40', cmd);
    tmuxStarted = true;

    // It starts on the follower and moves to the leader.
    await transcriptLine((l) => l.startsWith(`header leader=${leader} `) && l.includes(`attached=${leader} connection=attached`), 'the REPL to attach to the leader', replStartMs);

    tmux('send-keys', '-t', session, `submit ${file}`, 'Enter');
    const submitted = await waitFor('the submit to answer with the job it follows', () => /following (\S+)/.exec(pane())?.[1], stepMs, pollMs);
    const job = submitted;
    // The job runs on the runner before the leader dies.
    await waitFor('the job to run on the runner', async () => {
      const v = (await api<{ state: string; node: string | null }>(c.node(runner).apiUrl, `/v1/jobs/${job}`)).body;
      return v.state === 'running' && v.node === runner;
    }, stepMs, pollMs);
    // Follow it explicitly, as a user would after a submit.
    tmux('send-keys', '-t', session, `logs ${job} -f`, 'Enter');
    await waitFor('the explicit follow', () => pane().includes(`› logs ${job} -f`), stepMs, pollMs);

    // The first chunk has come through the leader: the log is under way when the leader dies.
    await transcriptLine((l) => l.startsWith(`log ${job} `) && / line 1 /.test(`${l} `), 'the first lines of the log', logEndMs);
    const beforeKill = numberedLines(job).length;
    expect(beforeKill).toBeLessThan(lineCount);
    c.node(leader).kill('SIGKILL');
    const killedAt = performance.now();
    const newHeader = await transcriptLine((l) => /^header leader=(\S+) /.test(l) && !l.startsWith(`header leader=${leader} `) && !l.startsWith('header leader=- ') && l.includes('connection=attached'), 'the header to name a new leader', headerFollowsMs);
    const headerMs = performance.now() - killedAt;
    const next = /^header leader=(\S+) /.exec(newHeader)![1]!;
    expect(followers).toContain(next);
    // The screen says so too.
    await waitFor('the pane header to name the new leader', () => pane().includes(`leader ${next}`), stepMs, pollMs);

    await waitFor(`line ${lineCount} of the log`, () => numberedLines(job).includes(lineCount), logEndMs, pollMs);
    expect(numberedLines(job)).toEqual(Array.from({ length: lineCount }, (_, i) => i + 1));
    await waitFor(`the pane to show line ${lineCount}`, () => pane().includes(`line ${lineCount}`), stepMs, pollMs);
    // For the report: how long the header took.
    console.log(`repl-cluster: header named ${next} ${Math.round(headerMs)} ms after kill -9 of ${leader}; ${beforeKill} lines shown before the kill`);
    expect(headerMs).toBeLessThan(headerFollowsMs);

    tmux('send-keys', '-t', session, 'C-d');
    await waitFor('the REPL to quit', () => {
      try { tmux('has-session', '-t', session); return false; } catch { return true; }
    }, stepMs, pollMs);
  }, 120_000);
});
