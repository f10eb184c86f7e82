import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, createApiServer, type ApiServer } from '../../src/api/index.js';
import { startIrcBot, type RunningIrcBot } from '../../src/chat-irc/index.js';
import { IrcUser } from './irc-user.js';
import { MemoryCluster } from './memory-cluster.js';
import { startNgircd, type Ngircd } from './ngircd.js';

const channel = '#cairn';
const botNick = 'cairnbot';
/** Every wait for the bot is bounded by this. */
const heardMs = 10_000;

/**
 * The bot against a real IRC server (ngircd on loopback) and a real REST API server over an
 * in-memory cluster, with people in the channel played by separate IRC clients.
 */
describe('IRC bot (ngircd)', () => {
  const cluster = new MemoryCluster();
  let api: ApiServer;
  let apiUrl = '';
  let ircd: Ngircd;
  let bot: RunningIrcBot;
  const users: IrcUser[] = [];
  let alice: IrcUser;
  let mallory: IrcUser;
  let carol: IrcUser;
  /** The bot's log, and waiters for a line in it (how the test sees a rejoin happen). */
  const botLog: string[] = [];
  let logWaiters: Array<() => void> = [];

  function logged(match: RegExp, count: number, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (botLog.filter((l) => match.test(l)).length < count) return;
        clearTimeout(timer);
        logWaiters = logWaiters.filter((w) => w !== check);
        resolve();
      };
      const timer = setTimeout(() => reject(new Error(`bot did not log ${match} ${count}x in ${timeoutMs} ms:\n${botLog.join('\n')}`)), timeoutMs);
      logWaiters.push(check);
      check();
    });
  }

  async function join(nick: string): Promise<IrcUser> {
    const u = await IrcUser.connect(ircd.port, nick, channel);
    users.push(u);
    return u;
  }

  beforeAll(async () => {
    cluster.chatUsers['carol@example.com'] = 'carol';
    cluster.authors['fix-1'] = 'carol@example.com';
    cluster.authors['fix-2'] = 'carol@example.com';
    api = createApiServer({ host: '127.0.0.1', port: 0, service: cluster });
    apiUrl = await api.start();
    ircd = await startNgircd();
    [alice, mallory, carol] = await Promise.all([join('alice'), join('mallory'), join('carol')]);
    bot = await startIrcBot({
      server: `127.0.0.1:${ircd.port}`,
      channel,
      nick: botNick,
      allow: ['alice'],
      apiUrls: [apiUrl],
      pollMs: 50,
      reconnectMsMin: 100,
      reconnectMsMax: 1_000,
      // Faster than a real network's flood limit, so the test runs quickly; the rate limit is
      // still in force (unit tests check the real figures).
      limits: { sendBurstLines: 4, sendRefillMs: 50, userCommandRefillMs: 100 },
      log: (level, message) => {
        botLog.push(`${level} ${message}`);
        for (const w of [...logWaiters]) w();
      },
    });
    await logged(/joined #cairn/, 1, heardMs);
  });

  afterAll(async () => {
    await bot?.stop();
    await Promise.all(users.map((u) => u.close()));
    await ircd?.dispose();
    await api?.stop();
  });

  it('runs !build and announces the result to who asked', async () => {
    const started = await alice.ask(channel, '!build ci main', botNick, /^alice: run \d+ \(ci @ main\) queued/, heardMs);
    const run = /run (\d+)/.exec(started.text)![1]!;
    expect(cluster.submitted.at(-1)).toEqual({ name: 'ci', ref: 'main' });
    const since = alice.mark();
    cluster.set(`${run}.1`, 'running');
    cluster.set(`${run}.1`, 'succeeded', { exitCode: 0, log: ['compiling\n', 'done\n'] });
    await alice.waitFor(botNick, new RegExp(`^alice: run ${run} \\(ci\\) succeeded`), { since, timeoutMs: heardMs, target: channel });
    const logs = await alice.ask(channel, `!logs ${run}.1`, botNick, /^alice: last 2 lines of/, heardMs);
    expect(logs.text).toContain(`${run}.1`);
    await alice.waitFor(botNick, /^done$/, { since, timeoutMs: heardMs });
  });

  it('refuses !cancel from someone not allowed, and lets an allowed nick cancel', async () => {
    const { id } = await new ApiClient({ url: apiUrl }).submit({ name: 'ci' });
    await mallory.ask(channel, `!cancel ${id}`, botNick, /^mallory: sorry, you are not allowed to do that$/, heardMs);
    expect(cluster.cancelled).toEqual([]);
    // Reading is open to everyone.
    await mallory.ask(channel, `!status ${id}`, botNick, new RegExp(`^mallory: run ${id} ci: queued`), heardMs);
    await alice.ask(channel, `!cancel ${id}`, botNick, new RegExp(`^alice: cancelling ${id}$`), heardMs);
    expect(cluster.cancelled).toEqual([id]);
  });

  it("tells the channel and, directly, the committer's nick when a build fails; then says it is fixed", async () => {
    const client = new ApiClient({ url: apiUrl });
    const { id } = await client.submit({ name: 'ci', repo: 'https://example.com/app.git', ref: 'fix-1' });
    const sinceCarol = carol.mark();
    const sinceAlice = alice.mark();
    cluster.set(`${id}.1`, 'running', { node: 'node-b' });
    cluster.set(`${id}.1`, 'failed', { exitCode: 2, reason: 'exit code 2' });
    const dm = await carol.waitFor(botNick, /^your build ci\/build .* failed on node-b: exit code 2/, { since: sinceCarol, timeoutMs: heardMs, target: 'carol' });
    expect(dm.text).toContain(`(${id}.1)`);
    await alice.waitFor(botNick, new RegExp(`^FAILED ci/build \\(${id}\\.1\\) on node-b`), { since: sinceAlice, timeoutMs: heardMs, target: channel });
    // Nobody else got the direct message.
    expect(alice.heard.slice(sinceAlice).some((h) => h.target === 'alice')).toBe(false);

    const again = await client.submit({ name: 'ci', repo: 'https://example.com/app.git', ref: 'fix-2' });
    const sinceFix = alice.mark();
    cluster.set(`${again.id}.1`, 'running');
    cluster.set(`${again.id}.1`, 'succeeded', { exitCode: 0 });
    await alice.waitFor(botNick, new RegExp(`^FIXED ci/build \\(${again.id}\\.1\\)`), { since: sinceFix, timeoutMs: heardMs, target: channel });
  });

  it('answers !help, !nodes and !why, and explains a refused build', async () => {
    await alice.ask(channel, '!help', botNick, /^alice: commands: !build !status !logs !cancel !retry !nodes !why !help/, heardMs);
    await alice.ask(channel, '!nodes', botNick, /^alice: node-a leader up \d\/2 slots/, heardMs);
    await alice.ask(channel, '!build nope', botNick, /^alice: no pipeline named nope \[PIPELINE_NOT_FOUND\]$/, heardMs);
    await alice.ask(botNick, 'why 999', botNick, /^no job or run 999$/, heardMs);
  });

  it('reconnects and rejoins after the IRC server restarts, then answers again', async () => {
    const joinedBefore = botLog.filter((l) => /joined #cairn/.test(l)).length;
    await Promise.all(users.splice(0).map((u) => u.close()));
    await ircd.stop();
    await logged(/disconnected from/, 1, heardMs);
    await ircd.start();
    await logged(/joined #cairn/, joinedBefore + 1, heardMs * 2);
    expect(bot.adapter.connections()).toBeGreaterThanOrEqual(2);
    const alice2 = await join('alice');
    await alice2.ask(channel, '!status', botNick, /^alice: leader node-a \(term 3\); 2\/2 nodes up/, heardMs);
  });
});
