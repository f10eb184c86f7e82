/**
 * `npm run bench -- cluster`: the cluster of real `cairn node` processes on loopback (three
 * nodes, each its own process and data dir, started from dist/cairn.js as a user would).
 *
 *   (d) idle: RSS and CPU of each node over a quiet window, against a bare Node process;
 *   (a) submit → process start on a remote node: the client posts to follower F1 a job that
 *       only follower F2 can run (label name=F2); the step's first act is `echo $EPOCHREALTIME`
 *       (a bash builtin, no fork), so the figure is wall clock from just before the POST to the
 *       step's shell running on F2 (same host, same clock). Baseline: spawning the same bash
 *       step locally from this process;
 *   (c) kill -9 of the leader: time until a submit through a survivor succeeds (a new submit is
 *       fired every 50 ms at alternating survivors, as the etcd peer figure fires puts) and
 *       until a new leader is seen, 20 trials, the killed node restarted between trials;
 *   (b) 1,000 one-job `true` runs submitted 16 at a time round-robin to the three nodes, from
 *       the first POST to the last job's end, against `xargs -P <total slots>` running the same
 *       1,000 commands (plain `true`, and the bash a step really spawns), and a bare Node process
 *       spawning them as the executor does (the floor of a Node executor: fork costs per MiB).
 *
 * Peers on this machine (../shared/peers/RESULTS.md): Buildbot 3.7 69 ms median to build start
 * (p99 196 ms), 3.5 builds/s (524× slower than xargs -P 2), 93 MiB master + 48 MiB per worker;
 * etcd 3.4 failover 1.5 s median, 2.7 s worst. `CAIRN_BENCH_PARTS=a,c` runs only some parts.
 * CAIRN_BIN runs a private build (`CAIRN_OUTDIR=.build/NAME`) instead of dist/cairn.js;
 * CAIRN_BENCH_NODE_OPTIONS is given to the nodes alone as NODE_OPTIONS (e.g. `--cpu-prof
 * --cpu-prof-dir=DIR` to profile them under load: the daemon's re-exec keeps it).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runJob } from '../src/exec/index.js';
import { parsePipeline, planPipeline } from '../src/pipeline/index.js';
import { api, jobEnded, cairnBin, TestCluster, waitFor, withinMs, type ClusterView, type JobView, type NodeProc } from '../test/node/cluster-harness.js';

/** Slots per node: two, as this machine has two cores (the xargs baseline gets all of them). */
const slotsPerNode = 2;
const names = ['a', 'b', 'c'];
const nodeOptions = process.env.CAIRN_BENCH_NODE_OPTIONS;
const specs = names.map((name) => ({ name, slots: slotsPerNode, ...(nodeOptions ? { env: { NODE_OPTIONS: nodeOptions } } : {}) }));
/** (a): sequential submissions measured, after a few to warm up. */
const latencyWarmup = 10;
const latencySamples = 100;
/** (b): jobs, and submissions in flight at once. */
const throughputJobs = 1000;
const throughputInFlight = 16;
/** (b), second line: jobs per submit when the same jobs go as fewer, larger pipelines (CAIRN_BENCH_BULK=0 skips it). */
const bulkJobsPerSubmit = Number(process.env.CAIRN_BENCH_BULK ?? 100);
const throughputWaitMs = 600_000;
/** How long profiled nodes get to drain and write their profiles after SIGTERM. */
const profileExitWaitMs = 30_000;
/** (c): trials, and how often a new submit is fired at the survivors. */
const failoverTrials = Number(process.env.CAIRN_BENCH_TRIALS ?? 20);
const failoverFireMs = 50;
const failoverGiveUpMs = 15_000;
/** Members connect to each other within a heartbeat or two of joining (node/daemon.ts). */
const meshSettleMs = 3_000;
/** (d): quiet time after forming, then the measured window. */
const idleSettleMs = 5_000;
const idleWindowMs = 10_000;
/**
 * An idle node still allocates (heartbeats, gossip upkeep) and tiers up its hot functions, and
 * V8 collects the old generation only every few minutes at that rate: RSS rises by a few MiB
 * over the first minutes. So (d) also samples RSS this often over this much longer and reports
 * the highest reading, which is what an idle node settles around, not just its first seconds.
 */
const longIdleSampleMs = 5_000;
const longIdleMs = 90_000;
/** Raft's election timeout in node/raft-host.ts (20 ticks of 50 ms): etcd's peer figure is read against its own 1 s. */
const electionTimeoutMs = 1000;

const peers = {
  buildbot: { startMedianMs: 69, startP99Ms: 196, buildsPerS: 3.5, slowerThanXargs: 524, masterMiB: 93, workerMiB: 48 },
  etcd: { failoverMedianMs: 1500, failoverWorstMs: 2700 },
};

const out = (s: string): boolean => process.stdout.write(s + '\n');
const fmt = (n: number, d = 1): string => (Number.isFinite(n) ? n.toFixed(d) : String(n));
const epochMs = (): number => performance.timeOrigin + performance.now();

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN;
}
const median = (xs: readonly number[]): number => percentile(xs, 50);

const trivial = (labels: string[] = []): string =>
  `name: t\njobs:\n  t:\n${labels.length ? `    labels: [${labels.join(', ')}]\n` : ''}    steps:\n      - run: "true"\n`;

function terminal(url: string, id: string, timeoutMs: number): Promise<JobView> {
  return jobEnded(url, id, timeoutMs, 5);
}

// ---- (d) idle -------------------------------------------------------------------------------

function procStat(pid: number): { rssMiB: number; cpuTicks: number; wakeups: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  // Fields after the parenthesised command: utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // The main thread's voluntary switches: each is one wake-up of the event loop (timers, messages).
  const wakeups = Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
  return { rssMiB: rssKb / 1024, cpuTicks: Number(f[11]) + Number(f[12]), wakeups };
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const userHz = 100;

/**
 * RSS counts the pages of the node executable every Node process on the machine shares; PSS
 * divides shared pages among their users and USS (private pages) is what one more node costs.
 */
function memoryOf(pid: number): { rssMiB: number; pssMiB: number; ussMiB: number; fileMiB: number } {
  const roll = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(roll)?.[1] ?? NaN);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    rssMiB: kb('Rss') / 1024,
    pssMiB: kb('Pss') / 1024,
    ussMiB: (kb('Private_Clean') + kb('Private_Dirty')) / 1024,
    fileMiB: Number(/RssFile:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024,
  };
}

async function idleFigures(pids: number[]): Promise<Array<ReturnType<typeof memoryOf> & { cpuPct: number; wakeupsPerS: number }>> {
  const before = pids.map(procStat);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, idleWindowMs));
  const secs = (performance.now() - t0) / 1000;
  return pids.map((pid, i) => {
    const after = procStat(pid);
    return { ...memoryOf(pid), cpuPct: ((after.cpuTicks - before[i]!.cpuTicks) / userHz / secs) * 100, wakeupsPerS: (after.wakeups - before[i]!.wakeups) / secs };
  });
}

async function bareNode(): Promise<ReturnType<typeof memoryOf>> {
  const p = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 1000));
    return memoryOf(p.pid!);
  } finally {
    p.kill('SIGKILL');
  }
}

// ---- (a) latency ----------------------------------------------------------------------------

/** Submits through `via` a job that only `target` can run; returns ms to its shell starting and to its recorded start. */
async function oneLatency(via: NodeProc, target: string, markerDir: string, i: number): Promise<{ processMs: number; startedMs: number; postMs: number }> {
  const marker = join(markerDir, String(i));
  const pipeline = `name: lat\njobs:\n  lat:\n    labels: [name=${target}]\n    steps:\n      - shell: bash\n        run: echo $EPOCHREALTIME > ${marker}\n`;
  const t0 = epochMs();
  const sub = await api<{ id: string }>(via.apiUrl, '/v1/jobs', { pipeline, file: 'lat.yml' });
  const postMs = epochMs() - t0;
  if (sub.status !== 201) throw new Error(`submit failed: ${JSON.stringify(sub.body)}`);
  const v = await terminal(via.apiUrl, sub.body.id, 30_000);
  if (v.state !== 'succeeded' || v.node !== target) throw new Error(`latency job ${v.id} ${v.state} on ${v.node}`);
  const shellAt = Number(readFileSync(marker, 'utf8').trim()) * 1000;
  return { processMs: shellAt - t0, startedMs: v.attempts[0]!.startedAt! - t0, postMs };
}

/** The same step through the executor alone, in this process (what `cairn run` pays): from runJob() to the step's shell running. */
async function localRunJobMs(markerDir: string, n: number): Promise<number[]> {
  const xs: number[] = [];
  const marker = join(markerDir, 'runjob');
  const pipeline = parsePipeline(`name: lat\njobs:\n  lat:\n    steps:\n      - shell: bash\n        run: echo $EPOCHREALTIME > ${marker}\n`, 'lat.yml');
  const instance = planPipeline(pipeline, { inputs: {} }).instances[0]!;
  for (let i = 0; i < n; i++) {
    const base = join(markerDir, `runjob-${i}`);
    const t0 = epochMs();
    const r = await runJob({ pipeline, instance, workspace: join(base, 'ws'), tempDir: join(base, 'tmp'), logFile: join(base, 'job.log'), sourceDir: join(base, 'src'), needs: {}, inputs: {} });
    if (r.conclusion !== 'success') throw new Error(`runJob baseline: ${r.conclusion} ${r.error ?? ''}`);
    xs.push(Number(readFileSync(marker, 'utf8').trim()) * 1000 - t0);
    rmSync(base, { recursive: true, force: true });
  }
  return xs;
}

/** The same step spawned here: bash starting and running the builtin, from the spawn call. */
async function localSpawnMs(markerDir: string, n: number): Promise<number[]> {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const marker = join(markerDir, `local-${i}`);
    const t0 = epochMs();
    await new Promise<void>((res, rej) => execFile('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', `echo $EPOCHREALTIME > ${marker}`], (e) => (e ? rej(e) : res())));
    xs.push(Number(readFileSync(marker, 'utf8').trim()) * 1000 - t0);
  }
  return xs;
}

// ---- (c) failover ---------------------------------------------------------------------------

interface FailoverTrial {
  leaderSeenMs: number;
  acceptedMs: number;
  /** One user's submit, fired at the moment of the kill and left to finish on its own. */
  userMs: number;
  /** Why the user's submit was not accepted, when it was not. */
  userFailure?: string;
}

async function oneFailover(cluster: TestCluster): Promise<FailoverTrial> {
  const view = await cluster.waitFormed(names, 60_000);
  const leader = cluster.node(view.leader!);
  const survivors = cluster.live().filter((n) => n !== leader);
  const abort = new AbortController();
  let leaderSeenMs = Number.NaN;
  let acceptedMs = Number.NaN;
  leader.kill('SIGKILL');
  const t0 = performance.now();
  const killedAtMs = epochMs();
  const watchLeader = (async () => {
    while (Number.isNaN(leaderSeenMs) && performance.now() - t0 < failoverGiveUpMs) {
      for (const s of survivors) {
        const v = await api<ClusterView>(s.apiUrl, '/v1/cluster').catch(() => null);
        if (v && v.body.leader !== null && v.body.leader !== leader.name && Number.isNaN(leaderSeenMs)) leaderSeenMs = performance.now() - t0;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  let userMs = Number.NaN;
  let userFailure: string | undefined;
  const user = api<{ error?: { code?: string; message?: string } }>(survivors[0]!.apiUrl, '/v1/jobs', { pipeline: trivial(), file: 't.yml' }, failoverGiveUpMs + 5000)
    .then((res) => {
      if (res.status === 201) userMs = performance.now() - t0;
      else userFailure = `HTTP ${res.status} after ${fmt(performance.now() - t0, 0)} ms: ${JSON.stringify(res.body?.error ?? res.body)}`;
    })
    .catch((e: unknown) => void (userFailure = `${String(e)} after ${fmt(performance.now() - t0, 0)} ms`));
  const inFlight: Array<Promise<void>> = [];
  for (let k = 0; Number.isNaN(acceptedMs) && performance.now() - t0 < failoverGiveUpMs; k++) {
    const s = survivors[k % survivors.length]!;
    inFlight.push(
      fetch(`${s.apiUrl}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pipeline: trivial(), file: 't.yml' }), signal: abort.signal })
        .then((res) => {
          if (res.status === 201 && Number.isNaN(acceptedMs)) acceptedMs = performance.now() - t0;
        })
        .catch(() => undefined),
    );
    await new Promise((r) => setTimeout(r, failoverFireMs));
  }
  abort.abort();
  await Promise.all([...inFlight, user]);
  await watchLeader;
  await leader.exited;
  if (process.env.CAIRN_BENCH_VERBOSE) {
    out(`    trial: leader seen ${fmt(leaderSeenMs, 0)} ms, accepted ${fmt(acceptedMs, 0)} ms, the user's submit ${fmt(userMs, 0)} ms after killing ${leader.name}`);
    // With CAIRN_TRACE (a developer's tracing build), its timestamped lines join the timeline.
    const lines = survivors.flatMap((s) => s.stderr().split('\n').filter((l) => l.startsWith('{')).map((l): Record<string, unknown> => ({ ...(JSON.parse(l) as Record<string, unknown>), node: s.name })));
    const timeOf = (l: Record<string, unknown>): number => Number(l.t ?? l.time);
    const until = killedAtMs + (Number.isNaN(acceptedMs) ? failoverGiveUpMs : acceptedMs) + 20;
    for (const l of lines.filter((x) => timeOf(x) >= killedAtMs && timeOf(x) <= until && (x.msg === 'raft role' || x.trace !== undefined)).sort((a, b) => timeOf(a) - timeOf(b))) {
      const { t, time, trace, msg, node, level, pid, hostname, name, ...rest } = l;
      void time; void level; void pid; void hostname; void name; void t;
      out(`      +${fmt(timeOf(l) - killedAtMs, 0)} ms ${String(node)} ${String(trace ?? msg)} ${JSON.stringify(rest)}`);
    }
  }
  await cluster.startNode(leader.spec);
  return { leaderSeenMs, acceptedMs, userMs, ...(userFailure === undefined ? {} : { userFailure }) };
}

// ---- (b) throughput -------------------------------------------------------------------------

async function xargsMs(cmd: string[], parallel: number, n: number): Promise<number> {
  const t0 = performance.now();
  await new Promise<void>((res, rej) => {
    const p = spawn('xargs', ['-P', String(parallel), '-I{}', ...cmd], { stdio: ['pipe', 'ignore', 'inherit'] });
    p.on('exit', (code) => (code === 0 ? res() : rej(new Error(`xargs exited ${code}`))));
    p.stdin.end(Array.from({ length: n }, (_, i) => String(i)).join('\n') + '\n');
  });
  return performance.now() - t0;
}

/**
 * The floor any Node executor starts from: a bare Node process (this Node, nothing loaded)
 * that only spawns the same commands `parallel` at a time, as the executor does (a detached
 * group, `sh -c 'exec "$@" 2>&1'`, stdout a pipe). child_process forks the whole process, so
 * its cost grows with the parent's memory; a node under load is larger than this one.
 */
async function nodeSpawnMs(parallel: number, n: number): Promise<number> {
  const script = `const { spawn } = require('node:child_process');
const one = () => new Promise((res) => { const c = spawn('/bin/sh', ['-c', 'exec "$@" 2>&1', 'sh', 'true'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] }); c.stdout.resume(); c.on('close', res); });
let next = 0; const t0 = performance.now();
Promise.all(Array.from({ length: ${parallel} }, async () => { while (next++ < ${n}) await one(); })).then(() => console.log(performance.now() - t0));`;
  const ms = await new Promise<string>((res, rej) => {
    execFile(process.execPath, ['-e', script], (err, stdout) => (err ? rej(err) : res(stdout)));
  });
  return Number(ms.trim());
}

/** A pipeline of `n` independent `true` jobs (one submit, one RunSubmitted entry). */
const manyTrivial = (n: number): string =>
  `name: t\njobs:\n${Array.from({ length: n }, (_, i) => `  t${i}:\n    steps:\n      - run: "true"\n`).join('')}`;

/** Submits throughputJobs jobs, `perSubmit` to a submit, round-robin over the nodes; waits for them all to end. */
async function throughput(cluster: TestCluster, perSubmit: number): Promise<{ elapsedMs: number; submitMs: number; succeeded: number; perNode: Record<string, number> }> {
  const nodes = cluster.live();
  const ids: string[] = [];
  const submits = Math.ceil(throughputJobs / perSubmit);
  const pipeline = perSubmit === 1 ? trivial() : manyTrivial(perSubmit);
  let next = 0;
  const t0 = epochMs();
  const submitter = async (): Promise<void> => {
    while (next < submits) {
      const i = next++;
      const r = await api<{ id: string; jobs: string[] }>(nodes[i % nodes.length]!.apiUrl, '/v1/jobs', { pipeline, file: 't.yml' }, 30_000);
      if (r.status !== 201) throw new Error(`submit ${i} failed: ${JSON.stringify(r.body)}`);
      ids.push(...r.body.jobs);
    }
  };
  await Promise.all(Array.from({ length: Math.min(throughputInFlight, submits) }, submitter));
  const submitMs = epochMs() - t0;
  const mine = new Set(ids);
  const rows = await waitFor(`${mine.size} jobs to end`, async () => {
    const all = (await api<Array<{ id: string; state: string; node: string | null }>>(nodes[0]!.apiUrl, '/v1/jobs', undefined, 30_000)).body.filter((j) => mine.has(j.id));
    return all.length === mine.size && all.every((j) => ['succeeded', 'failed', 'cancelled', 'lost'].includes(j.state)) ? all : null;
  }, throughputWaitMs, 200);
  // The end is the last job's finish time as the cluster recorded it (entries carry the proposer's clock).
  let end = 0;
  for (const j of rows.slice(-50)) end = Math.max(end, (await api<JobView>(nodes[0]!.apiUrl, `/v1/jobs/${j.id}`)).body.attempts.at(-1)?.finishedAt ?? 0);
  const perNode: Record<string, number> = {};
  for (const j of rows) perNode[j.node ?? '-'] = (perNode[j.node ?? '-'] ?? 0) + 1;
  return { elapsedMs: end - t0, submitMs, succeeded: rows.filter((j) => j.state === 'succeeded').length, perNode };
}

/** One throughput run on a fresh cluster: its figures and the node processes' CPU per job. */
async function throughputRun(perSubmit: number): Promise<Awaited<ReturnType<typeof throughput>> & { cpuMsPerJob: number; rate: number }> {
  const cluster = await TestCluster.start(specs, 'cairn-bench-cluster-');
  try {
    const pids = cluster.live().map((n) => n.pid);
    const cpu0 = pids.map((pid) => procStat(pid).cpuTicks);
    const r = await throughput(cluster, perSubmit);
    const cpuMsPerJob = (pids.reduce((sum, pid, i) => sum + procStat(pid).cpuTicks - cpu0[i]!, 0) / userHz / throughputJobs) * 1000;
    // A profile (--cpu-prof) is written when a node exits on its own, which SIGKILL never lets it.
    if (nodeOptions) await withinMs(Promise.all(cluster.live().map((n) => (n.kill('SIGTERM'), n.exited))), profileExitWaitMs);
    return { ...r, cpuMsPerJob, rate: (throughputJobs / r.elapsedMs) * 1000 };
  } finally {
    await cluster.dispose();
  }
}

// ---- the report ---------------------------------------------------------------------------

export default async function (): Promise<void> {
  const parts = new Set((process.env.CAIRN_BENCH_PARTS ?? 'a,b,c,d').split(','));
  out(`3 nodes on loopback (${cairnBin}), ${slotsPerNode} slots each; load average at start ${loadavg().map((x) => fmt(x, 2)).join(' ')} (2 cores, shared)`);
  const markers = join(tmpdir(), `cairn-bench-cluster-${process.pid}`);
  mkdirSync(markers, { recursive: true });
  let cluster: TestCluster | null = null;
  try {
    if (parts.has('a') || parts.has('c') || parts.has('d')) {
      cluster = await TestCluster.start(specs, 'cairn-bench-cluster-');
      const c = cluster;
      if (parts.has('d')) {
        await new Promise((r) => setTimeout(r, idleSettleMs));
        const bare = await bareNode();
        const view = (await api<ClusterView>(c.live()[0]!.apiUrl, '/v1/cluster')).body;
        const figs = await idleFigures(names.map((n) => c.node(n).pid));
        out(`(d) idle, ${idleWindowMs / 1000} s window after ${idleSettleMs / 1000} s settled; baseline: a bare Node process (same binary) idles at RSS ${fmt(bare.rssMiB)} MiB (PSS ${fmt(bare.pssMiB)}, USS ${fmt(bare.ussMiB)})`);
        names.forEach((n, i) => {
          const f = figs[i]!;
          out(`    node ${n}${view.leader === n ? ' (leader)' : ''}: RSS ${fmt(f.rssMiB)} MiB = ${fmt((f.rssMiB * 1024 * 1024) / 1e6)} MB = ${fmt(f.rssMiB / bare.rssMiB, 2)}× bare Node (target ≤ 80 MB; ${fmt(f.fileMiB)} MiB of it file pages, mostly the shared executable), PSS ${fmt(f.pssMiB)} MiB, USS ${fmt(f.ussMiB)} MiB; CPU ${fmt(f.cpuPct, 2)}% of a core, main thread woken ${fmt(f.wakeupsPerS, 0)}×/s`);
        });
        const highest = names.map(() => 0);
        for (let t = 0; t < longIdleMs; t += longIdleSampleMs) {
          await new Promise((r) => setTimeout(r, longIdleSampleMs));
          names.forEach((n, i) => (highest[i] = Math.max(highest[i]!, procStat(c.node(n).pid).rssMiB)));
        }
        out(`    the next ${longIdleMs / 1000} s, RSS sampled every ${longIdleSampleMs / 1000} s, highest: ${names.map((n, i) => `node ${n} ${fmt(highest[i]!)} MiB = ${fmt((highest[i]! * 1024 * 1024) / 1e6)} MB`).join(', ')} (target ≤ 80 MB)`);
        out(`    peers: Buildbot master ${peers.buildbot.masterMiB} MiB + ${peers.buildbot.workerMiB} MiB per worker (a cairn node is both)`);
      }
      if (parts.has('a')) {
        const leader = (await c.leader())!;
        const [f1, f2] = names.filter((n) => n !== leader) as [string, string];
        for (let i = 0; i < latencyWarmup; i++) await oneLatency(c.node(f1), f2, markers, -1 - i);
        const xs: Array<{ processMs: number; startedMs: number; postMs: number }> = [];
        for (let i = 0; i < latencySamples; i++) xs.push(await oneLatency(c.node(f1), f2, markers, i));
        const local = await localSpawnMs(markers, 50);
        const executor = await localRunJobMs(markers, 50);
        const p = xs.map((x) => x.processMs);
        out(`(a) submit → step's shell running on a remote node (POST to follower ${f1}, job labelled name=${f2}, leader ${leader}), n=${latencySamples} sequential`);
        out(`    process start: p50 ${fmt(median(p))} ms, p99 ${fmt(percentile(p, 99))} ms (targets 20 / 60 ms); the attempt's recorded start: p50 ${fmt(median(xs.map((x) => x.startedMs)))} ms; the POST itself: p50 ${fmt(median(xs.map((x) => x.postMs)))} ms`);
        out(`    baseline: the same bash step spawned locally: p50 ${fmt(median(local), 2)} ms, p99 ${fmt(percentile(local, 99), 2)} ms → cairn costs ${fmt(median(p) / median(local))}× (+${fmt(median(p) - median(local))} ms) at p50`);
        out(`    baseline: the same step through the executor alone (runJob in this process, as \`cairn run\`): p50 ${fmt(median(executor))} ms, p99 ${fmt(percentile(executor, 99))} ms → the cluster's own share at p50 ≈ ${fmt(median(p) - median(executor))} ms (submit, one Raft commit that also places the job, apply)`);
        out(`    peers: Buildbot ${peers.buildbot.startMedianMs} ms median to build start, p99 ${peers.buildbot.startP99Ms} ms → cairn ${fmt(peers.buildbot.startMedianMs / median(p))}× faster at p50, ${fmt(peers.buildbot.startP99Ms / percentile(p, 99))}× at p99`);
      }
      if (parts.has('c')) {
        // A cluster that has been up a moment: every member has connected to every other.
        await new Promise((r) => setTimeout(r, meshSettleMs));
        const trials: FailoverTrial[] = [];
        for (let i = 0; i < failoverTrials; i++) trials.push(await oneFailover(c));
        const acc = trials.map((t) => t.acceptedMs);
        const seen = trials.map((t) => t.leaderSeenMs);
        out(`(c) kill -9 of the leader, ${failoverTrials} trials (killed node restarted between trials)`);
        out(`    submit accepted through a survivor: median ${fmt(median(acc), 0)} ms, worst ${fmt(Math.max(...acc), 0)} ms (targets 500 / 1500 ms); new leader seen: median ${fmt(median(seen), 0)} ms, worst ${fmt(Math.max(...seen), 0)} ms`);
        out(`    all trials (accepted ms): ${acc.map((x) => fmt(x, 0)).join(' ')}`);
        const users = trials.map((t) => t.userMs);
        out(`    one user's submit fired at the kill (left to its own retries): median ${fmt(median(users), 0)} ms, worst ${fmt(Math.max(...users), 0)} ms; all: ${users.map((x) => fmt(x, 0)).join(' ')}`);
        for (const t of trials) if (t.userFailure !== undefined) out(`      not accepted: ${t.userFailure}`);
        out(`    against the 1 s election timeout: ${fmt(median(acc) / electionTimeoutMs, 2)}× median, ${fmt(Math.max(...acc) / electionTimeoutMs, 2)}× worst; peers: etcd ${peers.etcd.failoverMedianMs} / ${peers.etcd.failoverWorstMs} ms → cairn ${fmt(peers.etcd.failoverMedianMs / median(acc))}× faster median, ${fmt(peers.etcd.failoverWorstMs / Math.max(...acc))}× worst`);
      }
      await c.dispose();
      cluster = null;
    }
    if (parts.has('b')) {
      const slots = names.length * slotsPerNode;
      const plain = await xargsMs(['true'], slots, throughputJobs);
      const bash = await xargsMs(['bash', '--noprofile', '--norc', '-eo', 'pipefail', '-c', 'true'], slots, throughputJobs);
      const nodeSpawn = await nodeSpawnMs(slots, throughputJobs);
      const r = await throughputRun(1);
      const plainRate = (throughputJobs / plain) * 1000;
      const bashRate = (throughputJobs / bash) * 1000;
      out(`(b) ${throughputJobs} one-job \`true\` runs, ${throughputInFlight} submits in flight round-robin over 3 nodes; ${r.succeeded} succeeded, per node ${JSON.stringify(r.perNode)}`);
      out(`    cairn: ${fmt(r.elapsedMs / 1000, 2)} s first POST → last job end = ${fmt(r.rate)} jobs/s (the POSTs alone took ${fmt(r.submitMs / 1000, 2)} s); the three node processes used ${fmt(r.cpuMsPerJob)} ms of CPU per job (steps' own processes not counted)`);
      out(`    baseline xargs -P ${slots} true: ${fmt(plain)} ms = ${fmt(plainRate, 0)}/s → cairn at ${fmt(r.rate / plainRate, 4)}× the plain rate (${fmt(plainRate / r.rate, 0)}× slower; target ≥ 0.5×)`);
      out(`    baseline xargs -P ${slots} bash -eo pipefail -c true (what a step spawns): ${fmt(bash)} ms = ${fmt(bashRate, 0)}/s → cairn at ${fmt(r.rate / bashRate, 4)}×`);
      out(`    floor: a bare Node process that only spawns the same ${throughputJobs} commands ${slots} at a time as the executor does: ${fmt(nodeSpawn)} ms = ${fmt((throughputJobs / nodeSpawn) * 1000, 0)}/s = ${fmt(plain / nodeSpawn, 3)}× xargs (cairn at ${fmt((r.rate * nodeSpawn) / throughputJobs / 1000, 3)}× of it)`);
      out(`    peers: Buildbot ${peers.buildbot.buildsPerS} builds/s (${peers.buildbot.slowerThanXargs}× slower than xargs -P 2) → cairn ${fmt(r.rate / peers.buildbot.buildsPerS)}× the rate`);
      if (bulkJobsPerSubmit > 1) {
        // The same jobs as fewer, larger submits: what the cluster costs apart from a submit each.
        const bulk = await throughputRun(bulkJobsPerSubmit);
        out(`    the same ${throughputJobs} jobs as ${Math.ceil(throughputJobs / bulkJobsPerSubmit)} submits of ${bulkJobsPerSubmit} jobs each (one pipeline, fresh cluster; ${bulk.succeeded} succeeded): ${fmt(bulk.elapsedMs / 1000, 2)} s = ${fmt(bulk.rate)} jobs/s = ${fmt(bulk.rate / plainRate, 4)}× the plain rate; ${fmt(bulk.cpuMsPerJob)} ms of node CPU per job`);
      }
    }
  } finally {
    await cluster?.dispose();
    rmSync(markers, { recursive: true, force: true });
  }
}
