/**
 * The IRC bot against a REAL 3-node cluster (`cairn node` processes on loopback, from
 * test/node/cluster-harness.ts) and a real IRC server (ngircd): the committer map is set
 * through `PUT /v1/config/chatUsers`, pipelines of a local git repository are registered
 * through `POST /v1/pipelines`, and people in the channel are separate IRC clients.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/api/index.js';
import { startIrcBot, type RunningIrcBot } from '../../src/chat-irc/index.js';
import { TestCluster, waitFor } from '../node/cluster-harness.js';
import { IrcUser } from './irc-user.js';
import { startNgircd, type Ngircd } from './ngircd.js';

const channel = '#builds';
const botNick = 'cairnbot';
const committerEmail = 'dev@example.com';
/** A bot answer that needs no job to run. */
const answerMs = 15_000;
/** A build on the real cluster: placement, a git clone of the repo, the step, the report, the bot's poll. */
const buildMs = 60_000;
/** After kill -9 of the leader: an election, and the bot moving to a live node. */
const failoverMs = 30_000;
const clusterStartMs = 120_000;

describe('IRC bot on a real 3-node cluster (ngircd)', () => {
  let cluster: TestCluster;
  let ircd: Ngircd;
  let bot: RunningIrcBot | undefined;
  let repo = '';
  /** The run of the first, successful build. */
  let okRun = '';
  const users: IrcUser[] = [];
  let alice: IrcUser;
  let mallory: IrcUser;
  let dave: IrcUser;
  const botLog: string[] = [];

  /** Alice asks `!nodes`; resolves with the bot's three lines (one per node). */
  async function nodesAnswer(): Promise<string[]> {
    let since = alice.mark();
    alice.say(channel, '!nodes');
    const lines: string[] = [];
    for (let i = 0; i < 3; i++) {
      const line = await alice.waitFor(botNick, /^(alice: )?[abc] (leader|voter|learner) /, { since, timeoutMs: answerMs, target: channel });
      lines.push(line.text);
      since = alice.heard.indexOf(line) + 1;
    }
    return lines;
  }

  function leaderIn(lines: string[], alive: string[]): string | null {
    for (const l of lines) {
      const m = /^(?:alice: )?([abc]) leader up/.exec(l);
      if (m && alive.includes(m[1]!)) return m[1]!;
    }
    return null;
  }

  function client(name: string): ApiClient {
    return new ApiClient({ url: cluster.node(name).apiUrl, timeoutMs: 5_000 });
  }

  async function follower(): Promise<string> {
    const leader = await cluster.leader();
    return cluster.live().map((n) => n.name).find((n) => n !== leader)!;
  }

  beforeAll(async () => {
    // A repository whose HEAD commit is dev@example.com's.
    repo = mkdtempSync(join(tmpdir(), 'cairn-chat-repo-'));
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'commit.gpgsign=false', ...args], {
      env: { ...process.env, GIT_AUTHOR_NAME: 'Dev', GIT_AUTHOR_EMAIL: committerEmail, GIT_COMMITTER_NAME: 'Dev', GIT_COMMITTER_EMAIL: committerEmail },
      stdio: 'pipe',
    });
    git('init', '--quiet');
    writeFileSync(join(repo, 'README'), 'hello\n');
    git('add', 'README');
    git('commit', '--quiet', '-m', 'first');

    [cluster, ircd] = await Promise.all([TestCluster.start([{ name: 'a' }, { name: 'b' }, { name: 'c' }], 'cairn-chat-cluster-'), startNgircd()]);

    // Set through a follower: the write goes through the log, and every node serves it.
    const via = await follower();
    const set = (await client(via).setConfig('chatUsers', { [committerEmail]: 'dave' })) as { key: string; value: unknown };
    expect(set).toEqual({ key: 'chatUsers', value: { [committerEmail]: 'dave' } });
    await waitFor('every node to serve config.chatUsers', async () => {
      const views = await Promise.all(cluster.live().map(async (n) => (await client(n.name).cluster()) as { config?: { chatUsers?: Record<string, string> } }));
      return views.every((v) => v.config?.chatUsers?.[committerEmail] === 'dave');
    }, answerMs, 50);
    await client(via).addPipeline({ name: 'broken', repo, content: 'name: broken\njobs:\n  build:\n    steps:\n      - run: exit 3\n' });
    await client(via).addPipeline({ name: 'ok', repo, content: 'name: ok\njobs:\n  build:\n    steps:\n      - run: echo fine\n' });

    [alice, mallory, dave] = await Promise.all(['alice', 'mallory', 'dave'].map(async (nick) => {
      const u = await IrcUser.connect(ircd.port, nick, channel);
      users.push(u);
      return u;
    })) as [IrcUser, IrcUser, IrcUser];

    const leaderAtStart = await cluster.leader();
    let joined: () => void = () => {};
    const joinedNow = new Promise<void>((r) => (joined = r));
    bot = await startIrcBot({
      server: `127.0.0.1:${ircd.port}`,
      channel,
      nick: botNick,
      allow: ['alice'],
      // The leader's API first: the bot uses it, so killing the leader takes the bot's node away.
      apiUrls: [...cluster.live()].sort((x, y) => Number(y.name === leaderAtStart) - Number(x.name === leaderAtStart)).map((n) => n.apiUrl),
      pollMs: 100,
      reconnectMsMin: 100,
      reconnectMsMax: 1_000,
      // Faster than a real network's flood limit so the test runs quickly; still rate-limited.
      limits: { sendBurstLines: 4, sendRefillMs: 50, userCommandRefillMs: 100 },
      log: (level, message) => {
        botLog.push(`${level} ${message}`);
        if (/joined #builds/.test(message)) joined();
      },
    });
    await Promise.race([joinedNow, new Promise((_, rej) => setTimeout(() => rej(new Error(`bot did not join:\n${botLog.join('\n')}`)), answerMs))]);
  }, clusterStartMs + 60_000);

  afterAll(async () => {
    await bot?.stop();
    await Promise.all(users.map((u) => u.close()));
    await ircd?.dispose();
    await cluster?.dispose();
    if (repo) rmSync(repo, { recursive: true, force: true });
  }, 30_000);

  it('runs !build of a registered pipeline and announces the result to who asked; the run carries the commit author', async () => {
    const started = await alice.ask(channel, '!build ok', botNick, /^alice: run [\d.]+ \(ok\) (queued|placed|running)/, answerMs);
    // A one-job run is answered with its job's id (`4.1`); the end is announced for the run.
    const run = /run (\d+)/.exec(started.text)![1]!;
    okRun = run;
    await alice.waitFor(botNick, new RegExp(`^alice: run ${run} \\(ok\\) succeeded`), { since: alice.heard.indexOf(started), timeoutMs: buildMs, target: channel });
    const view = (await client(cluster.live()[0]!.name).job(run)) as { state: string; authorEmail: string | null; source: { repo: string; authorEmail?: string } | null };
    expect(view.state).toBe('succeeded');
    expect(view.authorEmail).toBe(committerEmail);
    expect(view.source?.repo).toBe(repo);
    const rows = (await client(cluster.live()[0]!.name).jobs()) as Array<{ id: string; authorEmail: string | null }>;
    expect(rows.find((r) => r.id === `${run}.1`)?.authorEmail).toBe(committerEmail);
  }, buildMs + answerMs);

  it('refuses !build and !cancel from a nick that is not allowed', async () => {
    const before = ((await client(cluster.live()[0]!.name).jobs()) as unknown[]).length;
    await mallory.ask(channel, `!cancel ${okRun}`, botNick, /^mallory: sorry, you are not allowed to do that$/, answerMs);
    await mallory.ask(channel, '!build ok', botNick, /^mallory: sorry, you are not allowed to do that$/, answerMs);
    expect(((await client(cluster.live()[0]!.name).jobs()) as unknown[]).length).toBe(before);
    // Reading is open to everyone.
    await mallory.ask(channel, `!status ${okRun}`, botNick, new RegExp(`^mallory: (run )?${okRun}(\\.1)? .*succeeded`), answerMs);
  }, answerMs * 3);

  it("tells the channel and, directly, the committer's nick when a build of the repo fails", async () => {
    const sinceDave = dave.mark();
    const sinceMallory = mallory.mark();
    const started = await alice.ask(channel, '!build broken', botNick, /^alice: run [\d.]+ \(broken\) (queued|placed|running)/, answerMs);
    const run = /run (\d+)/.exec(started.text)![1]!;
    const dm = await dave.waitFor(botNick, new RegExp(`^your build broken/build \\(${run}\\.1\\) failed on [abc]`), { since: sinceDave, timeoutMs: buildMs, target: 'dave' });
    expect(dm.text).toContain(`!logs ${run}.1`);
    await mallory.waitFor(botNick, new RegExp(`^FAILED broken/build \\(${run}\\.1\\) on [abc]`), { since: sinceMallory, timeoutMs: answerMs, target: channel });
    await alice.waitFor(botNick, new RegExp(`^alice: run ${run} \\(broken\\) failed`), { since: alice.heard.indexOf(started), timeoutMs: answerMs, target: channel });
    // The committer was told, not the one who asked for the build.
    expect(alice.heard.some((h) => h.target.toLowerCase() === 'alice')).toBe(false);
    const view = (await client(cluster.live()[0]!.name).job(`${run}.1`)) as { state: string; attempts: Array<{ exitCode: number | null }> };
    expect(view.state).toBe('failed');
    expect(view.attempts.at(-1)?.exitCode).toBe(3);
  }, buildMs + answerMs * 2);

  it('still answers !nodes after the leader is killed with SIGKILL, and shows the new leader', async () => {
    const old = await cluster.leader();
    expect(old).not.toBeNull();
    const t0 = performance.now();
    cluster.node(old!).kill('SIGKILL');
    await cluster.node(old!).exited;
    const first = await nodesAnswer();
    const firstMs = performance.now() - t0;
    expect(first).toHaveLength(3);
    // Within the bound, a new leader among the survivors shows in the bot's answer.
    const alive = cluster.live().map((n) => n.name);
    // The bot answers only when asked: ask again until its answer names a surviving leader (bounded).
    const newLeader = await waitFor('the bot to name a new leader', async () => leaderIn(await nodesAnswer(), alive), failoverMs, 250);
    console.log(`leader ${old} killed: first !nodes answer after ${firstMs.toFixed(0)} ms; new leader ${newLeader} shown after ${(performance.now() - t0).toFixed(0)} ms`);
    expect(alive).toContain(newLeader);
  }, failoverMs * 2 + answerMs);
});
