/**
 * `npm run bench -- logs`: what cairn's log pipeline costs and how fast it spreads.
 *
 *   (a) zstd ratio on a real build log captured here, through the real pipeline: `cargo build
 *       -vv` of a small crate built offline from /usr/share/cargo/registry (or, without cargo,
 *       the TypeScript compiler's `--extendedDiagnostics --listFiles` on this repository);
 *       the ratio of the gossip messages (zstd at gossipCompressionLevel) and at rest
 *       (seekable .log.zst, level 9). Target ≥ 5×.
 *   (b) a process printing 50 MB through what a node does with a step's output (the
 *       executor's pipe, workflow-command scan and secret masking, the job's log file; the log
 *       service's index, digest, `::cairn-event` scan, zstd and gossip to a second libp2p node)
 *       against the same command writing to /dev/null. Target ≤ 1.15×. The headline has a
 *       follower subscribed (the other node), so chunks are compressed and gossiped; a second
 *       line is the common case, no follower anywhere, where the publisher sends nothing.
 *   (c) lag from a line printed to the same line arriving at a follower on another node,
 *       p50/p99, while the job prints as fast as it can. Target p99 ≤ 250 ms. Reported also
 *       as a ratio to chunkFlushMs.
 *
 * The other node runs in a child process (this file, with CAIRN_BENCH_LOGS_PEER set), as it
 * would on another machine: what receiving gossip costs is the receiver's, not the job's
 * owner's. On a 2-core machine it still competes with the job and this process for the CPUs.
 *
 * Runs are interleaved and the median kept, because the machine is shared and noisy.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { PerformanceObserver, constants as perfConstants, type PerformanceEntry } from 'node:perf_hooks';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SecretSet, startProcess, type ProcessOutcome } from '../src/exec/index.js';
import { JobLog, StepOutput } from '../src/exec/job-log.js';
import { chunkFlushMs, type LogChunk, type LogEnd } from '../src/logs/index.js';
import { LogService, compressLog, eventsTopic, logsTopic } from '../src/logstore/index.js';
import { createNetwork, generateClusterKey, type Network } from '../src/net/index.js';

/** Size of the throughput run (b). */
const throughputBytes = 50_000_000;
/** Interleaved runs of (b); the median of each side is compared. */
const throughputRuns = 3;
/** Size of the lag run (c). */
const lagBytes = 30_000_000;
/** Debian's vendored crates: a registry that works offline. */
const cargoRegistry = '/usr/share/cargo/registry';
/** Where the floor run of (b) writes: RAM, as a pipe's buffer is. */
const tmpfsDir = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
/** A secret registered for every run (a job with a token), so masking does its real work. */
const benchSecret = 'ghp_benchSecretThatNeverAppears0123456789';

const out = (s: string): boolean => process.stdout.write(s + '\n');
const fmt = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : String(n));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

/**
 * A job that prints build-like lines as fast as it can, through an 8 KiB buffer as C stdio
 * would; each line starts with the time it was made (ms since the epoch) so a follower can
 * measure lag.
 */
const printerSource = `
const total = Number(process.argv[1]);
const words = ['Compiling', 'serde v1.0.188', 'warning: unused variable', '[INFO] Building jar:', 'target/classes', 'test result: ok.', 'Downloaded', 'rustc --crate-name', '--edition=2021'];
let written = 0, i = 0, buf = '';
const fs = require('node:fs');
while (written < total) {
  let line = 'T' + (performance.timeOrigin + performance.now()).toFixed(3) + ' ' + i++ + ' ';
  for (let k = 0; k < 6; k++) line += words[(i * 7 + k * 13) % words.length] + ' ';
  buf += line + '\\n';
  if (buf.length >= 8192) { fs.writeSync(1, buf); written += buf.length; buf = ''; }
}
if (buf) fs.writeSync(1, buf);
`;

/** The log topic of the bench's job that nobody follows (see Pair.quiet). */
const unheardTopic = 'cairn-bench/unheard-logs';

/** Set in the environment of the child process that plays the other node (see startPeer). */
const peerEnv = 'CAIRN_BENCH_LOGS_PEER';
/** The other node has this long to start and join the gossip mesh. */
const meshFormMs = 20_000;

interface PeerInit {
  keyHex: string;
  join: string;
  dir: string;
}
type ToPeer = { follow: { job: string; attempt: number; owner: string } } | { cpu: true } | { stop: true };
type FromPeer = { ready: string } | { lags: { first: number[]; last: number[] } } | { cpuMs: number } | { error: string };

interface Pair {
  a: Network;
  la: LogService;
  /**
   * A second log service on `a` whose log topic no peer subscribes to: a job nobody follows,
   * whose chunks the publisher neither compresses nor sends (not started: it only writes logs).
   */
  quiet: LogService;
  /** The other node's peer id. */
  peerId: string;
  /** Follows an attempt on the other node, from the owner `a`; resolves with its lag samples at the end. */
  follow(job: string, attempt: number): Promise<{ first: number[]; last: number[] }>;
  /** CPU the other node's process has used so far (not while a follow is pending). */
  peerCpuMs(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * This node (`a`, with its LogService) in this process, and the other node in a child
 * process, as it is on another machine in a cluster: what gossip costs the receiver is not
 * counted as the owner's. On this 2-core machine the child still shares the CPUs with the job
 * and this process.
 */
async function startPair(dir: string): Promise<Pair> {
  const key = generateClusterKey();
  const a = await createNetwork({ peerKeyFile: join(dir, 'a.key'), clusterKey: key, gossipTopics: [logsTopic, eventsTopic] });
  await a.start();
  const la = new LogService({ network: a, root: join(dir, 'a-logs'), sweepEveryMs: null });
  await la.start();
  const quiet = new LogService({ network: a, root: join(dir, 'quiet-logs'), sweepEveryMs: null, logsTopic: unheardTopic });
  const init: PeerInit = { keyHex: Buffer.from(key).toString('hex'), join: a.addrs()[0]!, dir };
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
    env: { ...process.env, [peerEnv]: JSON.stringify(init) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const next = (): Promise<FromPeer> =>
    new Promise((resolve, reject) => {
      const onExit = (): void => reject(new Error('the peer process exited'));
      child.once('exit', onExit);
      child.once('message', (m) => {
        child.off('exit', onExit);
        if (typeof m === 'object' && m !== null && 'error' in m) reject(new Error(`peer: ${(m as { error: string }).error}`));
        else resolve(m as FromPeer);
      });
    });
  const send = (m: ToPeer): void => void child.send(m);
  try {
    const ready = await next();
    if (!('ready' in ready)) throw new Error(`peer sent ${JSON.stringify(ready)} before it was ready`);
    const peerId = ready.ready;
    const deadline = performance.now() + meshFormMs;
    while (!a.topicPeers(logsTopic).includes(peerId)) {
      if (performance.now() > deadline) throw new Error('gossip mesh did not form');
      await new Promise((r) => setTimeout(r, 10));
    }
    return {
      a,
      la,
      quiet,
      peerId,
      follow: async (job, attempt) => {
        const answer = next();
        send({ follow: { job, attempt, owner: a.peerId } });
        const m = await answer;
        if (!('lags' in m)) throw new Error(`peer sent ${JSON.stringify(m)} instead of lags`);
        return m.lags;
      },
      peerCpuMs: async () => {
        const answer = next();
        send({ cpu: true });
        const m = await answer;
        if (!('cpuMs' in m)) throw new Error(`peer sent ${JSON.stringify(m)} instead of its CPU`);
        return m.cpuMs;
      },
      stop: async () => {
        send({ stop: true });
        await exited;
        await la.stop();
        await a.stop();
      },
    };
  } catch (err) {
    child.kill();
    await la.stop();
    await a.stop();
    throw err;
  }
}

/** The other node, in the child process: joins, reports ready, follows what it is asked to. */
async function runPeer(init: PeerInit): Promise<void> {
  const reply = (m: FromPeer): void => void process.send?.(m);
  const b = await createNetwork({
    peerKeyFile: join(init.dir, 'b.key'),
    clusterKey: new Uint8Array(Buffer.from(init.keyHex, 'hex')),
    gossipTopics: [logsTopic, eventsTopic],
    join: [init.join],
  });
  await b.start();
  const lb = new LogService({ network: b, root: join(init.dir, 'b-logs'), sweepEveryMs: null });
  await lb.start();
  const deadline = performance.now() + meshFormMs;
  while (b.topicPeers(logsTopic).length === 0) {
    if (performance.now() > deadline) return reply({ error: 'gossip mesh did not form' });
    await new Promise((r) => setTimeout(r, 10));
  }
  process.on('message', (m: ToPeer) => {
    if ('cpu' in m) return reply({ cpuMs: cpuMs() });
    if ('stop' in m) {
      void (async () => {
        await lb.stop();
        await b.stop();
        process.disconnect();
      })();
      return;
    }
    void (async () => {
      const first: number[] = [];
      const last: number[] = [];
      for await (const c of lb.follow(m.follow.job, m.follow.attempt, { owner: m.follow.owner })) sample(c, first, last);
      reply({ lags: { first, last } });
    })().catch((err: unknown) => reply({ error: String(err) }));
  });
  reply({ ready: b.peerId });
}

/**
 * Runs a command as a node runs a step (run-step.ts and the daemon's job host): output through
 * the step's scanner and masker into the job's log file, which hands it to the log service
 * (external mode: index, digest, custom events, gossip); then the log's end.
 */
async function runLogged(service: LogService, job: string, attempt: number, argv: string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<{ outcome: ProcessOutcome; end: LogEnd }> {
  const log = await service.open(job, attempt, { external: true });
  const secrets = new SecretSet();
  secrets.add(benchSecret);
  const file = JobLog.open(log.file, (b) => log.onOutput(b));
  const out = new StepOutput(file, secrets);
  const outcome = await startProcess({ argv, cwd, env: { ...env(), ...extraEnv }, onOutput: out.push }).done;
  await out.flush();
  await file.close();
  return { outcome, end: await log.end() };
}

const env = (): Record<string, string> => Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));

/** (a) Captures a real build log through the pipeline; returns what was built and the ratios. */
async function compressionRatio(dir: string, pair: Pair): Promise<void> {
  const cargo = spawnSync('cargo', ['--version']).status === 0 && existsSync(cargoRegistry);
  let argv: string[];
  let cwd: string;
  let what: string;
  if (cargo) {
    cwd = join(dir, 'crate');
    await mkdir(join(cwd, 'src'), { recursive: true });
    await mkdir(join(cwd, '.cargo'), { recursive: true });
    await writeFile(
      join(cwd, 'Cargo.toml'),
      '[package]\nname = "bench-crate"\nversion = "0.1.0"\nedition = "2021"\n[dependencies]\nnum-traits = "0.2"\nitoa = "1"\nfnv = "1"\nheck = "0.4"\nunicode-segmentation = "1"\npercent-encoding = "2"\nform_urlencoded = "1"\nscopeguard = "1"\nlibm = "0.2"\n',
    );
    await writeFile(join(cwd, 'src', 'main.rs'), 'fn main() { println!("{}", itoa::Buffer::new().format(42)); }\n');
    await writeFile(join(cwd, '.cargo', 'config.toml'), `[source.crates-io]\nreplace-with = "local"\n[source.local]\ndirectory = "${cargoRegistry}"\n[net]\noffline = true\n`);
    argv = ['cargo', 'build', '-vv'];
    what = `cargo build -vv of a crate with 10 dependencies from ${cargoRegistry}, offline`;
  } else {
    cwd = process.cwd();
    argv = [join(cwd, 'node_modules', '.bin', 'tsc'), '--noEmit', '-p', '.', '--extendedDiagnostics', '--listFiles'];
    what = 'tsc --noEmit --extendedDiagnostics --listFiles on this repository';
  }
  const published = { ...pair.la.publisher.stats };
  const { outcome, end } = await runLogged(pair.la, 'bench-build', 1, argv, cwd, { CARGO_TARGET_DIR: join(dir, 'target'), CARGO_TERM_COLOR: 'never' });
  await pair.la.publisher.flushed();
  const rawGossip = pair.la.publisher.stats.rawBytes - published.rawBytes;
  const wireGossip = pair.la.publisher.stats.bytes - published.bytes;
  const paths = pair.la.store.paths('bench-build', 1);
  await compressLog(paths, end);
  const atRest = (await stat(paths.zst)).size;
  out(`(a) build log: ${what} (exit ${outcome.exitCode}), ${end.bytes} bytes, ${end.seqEnd} chunks`);
  out(`    gossip: ${rawGossip} raw → ${wireGossip} on the wire = ${fmt(rawGossip / wireGossip)}× (target ≥ 5×)`);
  out(`    at rest (.log.zst, seekable, level 9): ${end.bytes} → ${atRest} = ${fmt(end.bytes / atRest)}× (target ≥ 5×)`);
}

/**
 * To /dev/null; into a file in RAM (/dev/shm) that nothing reads: the floor of moving the bytes
 * anywhere at all; the executor's pipe into nothing; as a step with its log, followed; the same,
 * followed by no one.
 */
type Mode = 'devnull' | 'tmpfs' | 'pipe' | 'cairn' | 'unfollowed';

interface RunCost {
  wallMs: number;
  /** CPU of the printer itself (user + system), from /usr/bin/time; NaN without it. */
  childCpuMs: number;
  /** CPU this process spent meanwhile (reading the pipe, writing, digesting, compressing, gossip). */
  ourCpuMs: number;
  /** CPU of the other node's process meanwhile (receiving gossip), approximate: it may still be receiving the last message. */
  peerCpuMs: number;
  /** Full (mark-compact) garbage collections of this process meanwhile: their marking runs on V8's worker threads, counted in ourCpuMs. */
  majorGcs: number;
}

/** Counts this process's major GCs while it runs. */
function countMajorGcs(): { stop(): number } {
  let n = 0;
  const count = (entries: PerformanceEntry[]): void => {
    for (const e of entries) if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) n++;
  };
  const obs = new PerformanceObserver((list) => count(list.getEntries()));
  obs.observe({ entryTypes: ['gc'] });
  return {
    stop: () => {
      count(obs.takeRecords());
      obs.disconnect();
      return n;
    },
  };
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * One run of the printer: to /dev/null (the baseline), through the executor's pipe into
 * nothing (what the pipe alone costs), or as a node runs a step (see runLogged), with a
 * follower on the other node or with none.
 */
async function printRun(dir: string, pair: Pair, n: number, mode: Mode): Promise<RunCost> {
  const gen = join(dir, 'printer.cjs');
  const timeFile = join(dir, `time-${mode}-${n}`);
  const timed = existsSync('/usr/bin/time') ? ['/usr/bin/time', '-f', '%U %S', '-o', timeFile] : [];
  const cmd = [...timed, process.execPath, gen, String(throughputBytes)];
  const ramFile = join(tmpfsDir, `cairn-bench-print-${process.pid}`);
  const argv =
    mode === 'devnull'
      ? ['/bin/sh', '-c', 'exec "$@" > /dev/null', 'sh', ...cmd]
      : mode === 'tmpfs'
        ? ['/bin/sh', '-c', 'f=$1; shift; exec "$@" > "$f"', 'sh', ramFile, ...cmd]
        : cmd;
  const p0 = await pair.peerCpuMs();
  const gcs = countMajorGcs();
  const c0 = cpuMs();
  const t0 = performance.now();
  let r;
  if (mode === 'cairn' || mode === 'unfollowed') {
    const service = mode === 'cairn' ? pair.la : pair.quiet;
    r = (await runLogged(service, 'bench-print', n, argv, dir)).outcome;
    await service.publisher.flushed();
  } else {
    r = await startProcess({ argv, cwd: dir, env: env(), onOutput: () => {} }).done;
  }
  const wallMs = performance.now() - t0;
  const ourCpuMs = cpuMs() - c0;
  // Freeing the file's pages is not part of printing: outside the window.
  if (mode === 'tmpfs') await rm(ramFile, { force: true });
  const majorGcs = gcs.stop();
  const peerCpuMs = (await pair.peerCpuMs()) - p0;
  if (r.exitCode !== 0) throw new Error(`printer failed: ${JSON.stringify(r)}`);
  let childCpuMs = Number.NaN;
  if (timed.length > 0) {
    const [user, sys] = (await readFile(timeFile, 'utf8')).trim().split(/\s+/).slice(-2).map(Number);
    childCpuMs = ((user ?? Number.NaN) + (sys ?? Number.NaN)) * 1000;
  }
  return { wallMs, childCpuMs, ourCpuMs, peerCpuMs, majorGcs };
}

/** (b) 50 MB through cairn vs to /dev/null. */
async function throughput(dir: string, pair: Pair): Promise<void> {
  await writeFile(join(dir, 'printer.cjs'), printerSource.replace('process.argv[1]', 'process.argv[2]'));
  const runs: Record<Mode, RunCost[]> = { devnull: [], tmpfs: [], pipe: [], cairn: [], unfollowed: [] };
  const before = { ...pair.la.publisher.stats };
  const unheardBefore = pair.quiet.publisher.stats.unheard;
  for (let i = 0; i < throughputRuns; i++) {
    for (const mode of ['devnull', 'tmpfs', 'pipe', 'cairn', 'unfollowed'] as const) runs[mode].push(await printRun(dir, pair, i, mode));
  }
  const s = pair.la.publisher.stats;
  const m = (mode: Mode, f: (r: RunCost) => number): number => median(runs[mode].map(f));
  const wall = (mode: Mode): number => m(mode, (r) => r.wallMs);
  const cpu = (mode: Mode): number => m(mode, (r) => r.childCpuMs + r.ourCpuMs);
  out(`(b) ${throughputBytes / 1e6} MB printed flat out by a node script (8 KiB writes), ${throughputRuns} interleaved runs, medians:`);
  out(`    wall: /dev/null ${fmt(wall('devnull'), 0)} ms; executor pipe only ${fmt(wall('pipe'), 0)} ms; as a step with its log ${fmt(wall('cairn'), 0)} ms`);
  out(`    wall ratio ${fmt(wall('cairn') / wall('devnull'))}× (target ≤ 1.15×); the executor's pipe alone ${fmt(wall('pipe') / wall('devnull'))}×`);
  out(`    floor: the same bytes into a file in RAM (${tmpfsDir}) that nothing reads: ${fmt(wall('tmpfs'), 0)} ms = ${fmt(wall('tmpfs') / wall('devnull'))}× /dev/null (any reader, pipe or file, starts from here)`);
  out(`    CPU (printer + this process): /dev/null ${fmt(cpu('devnull'), 0)} ms, pipe only ${fmt(cpu('pipe'), 0)} ms, cairn ${fmt(cpu('cairn'), 0)} ms = ${fmt(cpu('cairn') / cpu('devnull'))}×; log pipeline alone ${fmt(m('cairn', (r) => r.ourCpuMs) - m('pipe', (r) => r.ourCpuMs), 0)} ms CPU per ${throughputBytes / 1e6} MB (the gossip receiver runs in another process)`);
  out(`    the gossip receiver (the other node's process, same 2 cores) meanwhile: ${fmt(m('pipe', (r) => r.peerCpuMs), 0)} ms CPU idle, ${fmt(m('cairn', (r) => r.peerCpuMs), 0)} ms during a cairn run`);
  out(`    major GCs in this process per run: /dev/null ${m('devnull', (r) => r.majorGcs)}, pipe only ${m('pipe', (r) => r.majorGcs)}, cairn ${m('cairn', (r) => r.majorGcs)}`);
  out(`    gossip ${s.messages - before.messages} messages, ${fmt((s.rawBytes - before.rawBytes) / Math.max(1, s.bytes - before.bytes))}× compressed, ${s.droppedChunks - before.droppedChunks} chunks shed`);
  const q = pair.quiet.publisher.stats;
  if (q.messages > 0) throw new Error('the unfollowed job was published: a peer subscribed to its topic');
  out(`    followed by no one (the common case: no compression, no gossip; ${q.unheard - unheardBefore} chunks unheard): wall ${fmt(wall('unfollowed'), 0)} ms = ${fmt(wall('unfollowed') / wall('devnull'))}× /dev/null; CPU ${fmt(cpu('unfollowed'), 0)} ms; log pipeline alone ${fmt(m('unfollowed', (r) => r.ourCpuMs) - m('pipe', (r) => r.ourCpuMs), 0)} ms; major GCs ${m('unfollowed', (r) => r.majorGcs)}`);
}

/** (c) Lag from print to a follower on the other node, while the job prints flat out. */
async function lag(dir: string, pair: Pair): Promise<void> {
  const gen = join(dir, 'printer.cjs');
  const follow = pair.follow('bench-lag', 1);
  const { end } = await runLogged(pair.la, 'bench-lag', 1, [process.execPath, gen, String(lagBytes)], dir);
  const { first: lags, last: lastLine } = await follow;
  out(`(c) lag print → follower on the other node (another process), ${end.bytes / 1e6} MB printed flat out, ${end.seqEnd} chunks, first line of each chunk (its oldest):`);
  out(`    p50 ${fmt(percentile(lags, 50), 1)} ms, p99 ${fmt(percentile(lags, 99), 1)} ms, max ${fmt(Math.max(...lags), 1)} ms (target p99 ≤ 250 ms: ${fmt(percentile(lags, 99) / 250)}× of it); newest line of each chunk p50 ${fmt(percentile(lastLine, 50), 1)} ms`);
  out(`    p99 / chunkFlushMs (${chunkFlushMs} ms) = ${fmt(percentile(lags, 99) / chunkFlushMs)}`);
}

/** Lag of the first and last whole line of a chunk (lines start with `T<ms>`). */
function sample(c: LogChunk, first: number[], last: number[]): void {
  const now = performance.timeOrigin + performance.now();
  const data = Buffer.from(c.data.buffer, c.data.byteOffset, c.data.byteLength);
  const nl = data.indexOf(0x0a);
  const head = lineTime(data, nl + 1);
  if (head !== null) first.push(now - head);
  const lastNl = data.lastIndexOf(0x0a, data.length - 2);
  const tail = lastNl > nl ? lineTime(data, lastNl + 1) : null;
  if (tail !== null) last.push(now - tail);
}

function lineTime(data: Buffer, at: number): number | null {
  if (data[at] !== 0x54) return null; // 'T'
  const sp = data.indexOf(0x20, at);
  if (sp < 0) return null;
  const t = Number(data.toString('latin1', at + 1, sp));
  return Number.isFinite(t) ? t : null;
}

export default async function (): Promise<void> {
  out(`load average ${loadavg().map((x) => fmt(x)).join(' ')} (2 cores shared: figures are noisy)`);
  const dir = await mkdtemp(join(tmpdir(), 'cairn-bench-logs-'));
  const pair = await startPair(dir);
  try {
    await compressionRatio(dir, pair);
    await throughput(dir, pair);
    await lag(dir, pair);
  } finally {
    await pair.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.env[peerEnv] !== undefined) await runPeer(JSON.parse(process.env[peerEnv]) as PeerInit);
