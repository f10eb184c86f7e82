/**
 * Leader failover in the simulator (3 nodes, simulated time): with a 100 ms heartbeat and a
 * randomized 1,000–2,000 ms election timeout (10 ms ticks), the time from losing the leader to
 * a new leader over 1,000 trials each of
 *   (a) a silently lost leader (partitioned: nobody is told), and
 *   (b) a crashed leader whose connections drop (the followers' transports report it after a
 *       simulated 1–5 ms), which triggers the pre-vote fast path.
 * Figures are printed against the configured election timeout and against etcd 3.4 measured on
 * this machine (../shared/peers/RESULTS.md: median 1,380 ms, p90 2,202 ms, worst 2,706 ms).
 */
import { SimCluster } from '../src/sim/cluster.js';

const trials = 1000;
const tickMs = 10;
const heartbeatMs = 100;
const electionTimeoutMs = 1000;
const etcd = { medianMs: 1380, p90Ms: 2202, worstMs: 2706 };
const targets = { silentMedianMs: 1500, silentWorstMs: 3000, crashMedianMs: 300 };
/** Simulated time a trial may take before it counts as a failure to elect. */
const trialMsMax = 30_000;

type Scenario = 'silent' | 'crash';

function trial(seed: number, scenario: Scenario): number {
  const c = new SimCluster({
    seed,
    nodes: 3,
    tickMs,
    raft: { electionTimeoutTicks: electionTimeoutMs / tickMs, heartbeatIntervalTicks: heartbeatMs / tickMs },
    net: { dropRate: 0, dupRate: 0, latencyMinMs: 1, latencyMaxMs: 2 },
    notifyDisconnect: true,
    disconnectNoticeMs: [1, 5],
  });
  if (!c.runUntilTrue(() => c.leader() !== null, trialMsMax)) throw new Error(`seed ${seed}: no initial leader`);
  // Let the cluster settle, and lose the leader at a random point of its heartbeat cycle.
  c.run(2 * electionTimeoutMs + c.rng.int(heartbeatMs));
  const old = c.leader()!;
  const t0 = c.now();
  let elected = -1;
  c.onLeader = (ch) => {
    if (elected < 0 && ch.node !== old.id) elected = ch.atMs;
  };
  if (scenario === 'silent') c.disconnect(old.id);
  else c.crash(old.id);
  if (!c.runUntilTrue(() => elected >= 0, trialMsMax)) throw new Error(`seed ${seed}: no new leader within ${trialMsMax} ms`);
  return elected - t0;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function line(label: string, xs: number[]): { median: number; p99: number; worst: number } {
  const s = [...xs].sort((a, b) => a - b);
  const median = percentile(s, 50);
  const p90 = percentile(s, 90);
  const p99 = percentile(s, 99);
  const worst = s[s.length - 1]!;
  const r = (x: number, base: number): string => `${(x / base).toFixed(2)}x`;
  process.stdout.write(
    `${label}\n` +
      `  median ${median} ms (${r(median, electionTimeoutMs)} election timeout, ${r(median, etcd.medianMs)} etcd's ${etcd.medianMs} ms)\n` +
      `  p90    ${p90} ms (${r(p90, electionTimeoutMs)}, ${r(p90, etcd.p90Ms)} etcd's ${etcd.p90Ms} ms)\n` +
      `  p99    ${p99} ms (${r(p99, electionTimeoutMs)})\n` +
      `  worst  ${worst} ms (${r(worst, electionTimeoutMs)}, ${r(worst, etcd.worstMs)} etcd's ${etcd.worstMs} ms); best ${s[0]} ms\n`,
  );
  return { median, p99, worst };
}

export default async function (): Promise<void> {
  process.stdout.write(
    `3 nodes in the simulator, tick ${tickMs} ms, heartbeat ${heartbeatMs} ms, election timeout ${electionTimeoutMs}-${2 * electionTimeoutMs - tickMs} ms, ${trials} trials each, simulated time\n`,
  );
  const silent = Array.from({ length: trials }, (_, i) => trial(1 + i, 'silent'));
  const a = line('(a) silently lost leader (partitioned) -> new leader', silent);
  const crashed = Array.from({ length: trials }, (_, i) => trial(100_001 + i, 'crash'));
  const b = line('(b) crashed leader, disconnect reported after 1-5 ms -> new leader', crashed);
  const ok = (x: boolean): string => (x ? 'met' : 'MISSED');
  process.stdout.write(
    `targets: (a) median <= ${targets.silentMedianMs} ms ${ok(a.median <= targets.silentMedianMs)}, worst <= ${targets.silentWorstMs} ms ${ok(a.worst <= targets.silentWorstMs)}; ` +
      `(b) median <= ${targets.crashMedianMs} ms ${ok(b.median <= targets.crashMedianMs)}\n`,
  );
}
