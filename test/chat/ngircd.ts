import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The Debian package's binary (`.ci/run` installs it). */
export const ngircdPath = '/usr/sbin/ngircd';
const startMsMax = 10_000;
const stopMsMax = 5_000;

/** A free loopback port (the kernel picks it; closed again before ngircd binds it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr !== null ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface Ngircd {
  port: number;
  /** Everything ngircd printed, for failure messages. */
  output(): string;
  /** SIGTERM, then waits for the exit (SIGKILL if it lingers). */
  stop(): Promise<void>;
  /** Starts it again on the same port, in the foreground. */
  start(): Promise<void>;
  /** Stops it and removes its temp dir. */
  dispose(): Promise<void>;
}

/**
 * A real IRC server on loopback: ngircd in the foreground (`-n`) with a generated config in a
 * temp dir. Ready when it logs that it listens; never daemonised, so stop() ends it.
 */
export async function startNgircd(): Promise<Ngircd> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-ngircd-'));
  // ngircd drops root for "nobody", which must be able to write its pid file here.
  const run = join(dir, 'run');
  await mkdir(run);
  await chmod(run, 0o777);
  const port = await freePort();
  const conf = join(dir, 'ngircd.conf');
  await writeFile(conf, [
    '[Global]',
    'Name = irc.cairn.test',
    'Info = cairn test server',
    'AdminInfo1 = cairn tests',
    'AdminInfo2 = loopback',
    'AdminEMail = nobody@cairn.test',
    'Listen = 127.0.0.1',
    `Ports = ${port}`,
    'MotdPhrase = cairn test',
    `PidFile = ${join(run, 'ngircd.pid')}`,
    '[Limits]',
    'MaxNickLength = 16',
    'MaxConnectionsIP = 0',
    'PingTimeout = 120',
    'PongTimeout = 20',
    '[Options]',
    'PAM = no',
    'Ident = no',
    'DNS = no',
    `IncludeDir = ${dir}`,
    '',
  ].join('\n'));

  let child: ChildProcess | null = null;
  let out = '';

  async function start(): Promise<void> {
    const proc = spawn(ngircdPath, ['-n', '-f', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`ngircd did not start within ${startMsMax} ms:\n${out}`)), startMsMax);
      const onData = (b: Buffer) => {
        out += b.toString();
        if (out.includes(`Now listening on [127.0.0.1]:${port}`)) done();
      };
      const onExit = (code: number | null) => fail(new Error(`ngircd exited (${code}) before listening:\n${out}`));
      function done() {
        clearTimeout(timer);
        proc.off('exit', onExit);
        resolve();
      }
      function fail(err: Error) {
        clearTimeout(timer);
        proc.kill('SIGKILL');
        reject(err);
      }
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', onData);
      proc.once('exit', onExit);
    });
  }

  async function stop(): Promise<void> {
    const proc = child;
    child = null;
    if (proc === null || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => proc.kill('SIGKILL'), stopMsMax);
      proc.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      proc.kill('SIGTERM');
    });
  }

  await start();
  return {
    port,
    output: () => out,
    start: async () => {
      out += '--- restart ---\n';
      await start();
    },
    stop,
    dispose: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
