import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiServer, type ApiServer } from '../../src/api/index.js';
import { assertBuilt, cairnBin } from '../cli/run-helpers.js';
import { IrcUser } from './irc-user.js';
import { MemoryCluster } from './memory-cluster.js';
import { startNgircd, type Ngircd } from './ngircd.js';

const waitMs = 15_000;

/** `cairn bot irc` as users run it: the built CLI, against ngircd and a REST API server. */
describe('cairn bot irc (the built CLI)', () => {
  let api: ApiServer;
  let ircd: Ngircd;
  let bot: ChildProcess;
  let stderr = '';
  let user: IrcUser;

  beforeAll(async () => {
    assertBuilt();
    api = createApiServer({ host: '127.0.0.1', port: 0, service: new MemoryCluster() });
    const url = await api.start();
    ircd = await startNgircd();
    user = await IrcUser.connect(ircd.port, 'alice', '#cli');
    const dead = 'http://127.0.0.1:9'; // nothing listens on the discard port: the bot must fail over
    bot = spawn(process.execPath, [cairnBin, '--api', `${dead},${url}`, 'bot', 'irc', '--server', `127.0.0.1:${ircd.port}`, '--channel', '#cli', '--nick', 'clibot', '--allow', 'alice'], { stdio: ['ignore', 'ignore', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the bot did not join within ${waitMs} ms:\n${stderr}`)), waitMs);
      bot.stderr!.on('data', (b: Buffer) => {
        stderr += b.toString();
        if (stderr.includes('joined #cli')) {
          clearTimeout(timer);
          resolve();
        }
      });
      bot.once('exit', (code) => reject(new Error(`the bot exited (${code}):\n${stderr}`)));
    });
  });

  afterAll(async () => {
    if (bot && bot.exitCode === null && bot.signalCode === null) bot.kill('SIGKILL');
    await user?.close();
    await ircd?.dispose();
    await api?.stop();
  });

  it('answers in the channel, and leaves IRC cleanly on SIGTERM', async () => {
    await user.ask('#cli', '!nodes', 'clibot', /^alice: node-a leader up/, waitMs);
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the bot did not exit within 10 s of SIGTERM')), 10_000);
      bot.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
      bot.kill('SIGTERM');
    });
    expect(code).toBe(0);
    expect(stderr).toContain('connected to 127.0.0.1');
  });

  it('refuses a malformed --server with exit code 2', async () => {
    const r = spawn(process.execPath, [cairnBin, 'bot', 'irc', '--server', 'irc:x:y', '--channel', '#c', '--nick', 'n'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    r.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    const code = await new Promise<number | null>((resolve) => r.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain('--server');
  });
});
