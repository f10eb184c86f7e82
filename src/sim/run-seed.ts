/**
 * One seeded chaos run ("swarm testing": each seed draws its own mix and intensity of faults,
 * so across seeds every combination gets exercised). Faults: message loss, duplication,
 * delay/reordering, partitions (with or without a disconnect notice), crashes (also in the
 * middle of handling a Ready, losing what was not persisted), whole-cluster crashes,
 * membership changes (learners added, promoted, voters and learners removed), snapshots and
 * compaction, leadership transfers and spurious disconnect reports. Safety checkers run
 * throughout; linearizability of the client history is checked at the end.
 */
import { SafetyViolation } from './checkers.js';
import { SimCluster, type ClusterOptions } from './cluster.js';
import { checkLinearizable } from './linearizability.js';
import { Prng } from './prng.js';
import type { SimNode } from './sim-node.js';

export interface SeedOptions {
  seed: number;
  nodes: number;
  /** Simulated ticks to run (each node ticks once per tick). */
  steps: number;
}

export interface FaultMix {
  partitionRate: number;
  crashRate: number;
  leaderCrashRate: number;
  allCrashRate: number;
  confChangeRate: number;
  transferRate: number;
  spuriousDisconnectRate: number;
}

export interface SeedResult {
  seed: number;
  ok: boolean;
  violation: string | null;
  elections: number;
  commits: number;
  operations: number;
  faults: Record<string, number>;
}

/** Joiners a run may add (fresh ids: Raft forbids reusing a removed member's id). */
const joinersMax = 4;
/** Minimum voters the run keeps (removing further is legal but makes runs mostly idle). */
const votersMin = 2;

function drawOptions(rng: Prng, o: SeedOptions): { cluster: Partial<ClusterOptions>; mix: FaultMix } {
  const tickMs = 10;
  const electionTimeoutTicks = rng.pick([5, 10, 20]);
  const cluster: Partial<ClusterOptions> = {
    seed: rng.next32(),
    nodes: o.nodes,
    tickMs,
    raft: {
      electionTimeoutTicks,
      heartbeatIntervalTicks: rng.pick([1, 2]),
      inflightAppendsMax: rng.pick([2, 16, 256]),
      appendBytesMax: rng.pick([64, 1024, 1 << 20]),
      // Safety must not depend on the optional mechanisms: sometimes run classic Raft.
      preVote: rng.chance(0.8),
      checkQuorum: rng.chance(0.8),
    },
    tickJitterMs: rng.pick([0, 0, 3]),
    // Latency relative to the election timeout; above it (the last choice) no election can
    // succeed, which is a fine test of safety but not of progress: the run heals it at the end.
    net: { dropRate: rng.pick([0, 0, 0.01, 0.05, 0.15]), dupRate: rng.pick([0, 0.02, 0.1]), latencyMinMs: 1, latencyMaxMs: Math.max(2, Math.round(electionTimeoutTicks * tickMs * rng.pick([0.05, 0.2, 0.5, 0.5, 1.5]))) },
    clients: { count: rng.range(1, 4), keys: rng.range(1, 3), opTimeoutMs: rng.pick([200, 1000]), thinkMsMax: rng.pick([5, 30]) },
    snapshotEveryEntries: rng.pick([5, 20, 100, Infinity]),
    crashInReadyRate: rng.pick([0, 0, 0.002, 0.01]),
    restartDelayMsMax: rng.pick([20, 300, 1500]),
    notifyDisconnect: rng.chance(0.7),
  };
  const mix: FaultMix = {
    partitionRate: rng.pick([0, 0.003, 0.01]),
    crashRate: rng.pick([0, 0.002, 0.01]),
    leaderCrashRate: rng.pick([0, 0, 0.005, 0.03]),
    allCrashRate: rng.pick([0, 0, 0.0005]),
    confChangeRate: rng.pick([0, 0.005, 0.02]),
    transferRate: rng.pick([0, 0.003]),
    spuriousDisconnectRate: rng.pick([0, 0.005]),
  };
  return { cluster, mix };
}

export function runSeed(o: SeedOptions): SeedResult {
  const rng = new Prng(o.seed);
  const { cluster: copts, mix } = drawOptions(rng, o);
  const c = new SimCluster(copts);
  const faults: Record<string, number> = {};
  const count = (k: string): void => {
    faults[k] = (faults[k] ?? 0) + 1;
  };
  let joiners = 0;
  let healAt = -1;
  const tickMs = c.opts.tickMs;
  const electionMs = (c.opts.raft.electionTimeoutTicks ?? 10) * tickMs;
  try {
    c.clients?.start();
    for (let step = 0; step < o.steps; step++) {
      c.run(tickMs);
      const up = (): SimNode[] => [...c.nodes.values()].filter((n) => n.up);
      if (healAt >= 0 && c.now() >= healAt) {
        c.heal();
        healAt = -1;
        count('heal');
      }
      if (healAt < 0 && rng.chance(mix.partitionRate)) {
        const ids = [...c.nodes.keys()];
        const side = ids.filter(() => rng.chance(0.5));
        if (side.length > 0 && side.length < ids.length) {
          c.partition([side]);
          healAt = c.now() + rng.range(1, 8) * electionMs;
          count('partition');
          if (rng.chance(0.5)) {
            // Sometimes the transports notice the cut and report it (TCP resets).
            for (const a of side) for (const b of ids) if (!side.includes(b)) notify(c, rng, a, b), notify(c, rng, b, a);
          }
        }
      }
      if (rng.chance(mix.crashRate)) {
        const victims = up();
        if (victims.length > 0) {
          const v = rng.pick(victims);
          c.crash(v.id);
          c.schedule(c.now() + rng.range(1, 5) * electionMs, () => c.restart(v.id));
          count('crash');
        }
      }
      if (rng.chance(mix.leaderCrashRate)) {
        // Figure 8 of the paper: leaders die mid-replication, with entries on a minority.
        const l = c.leader();
        if (l !== null) {
          c.schedule(c.now() + rng.int(2 * tickMs), () => c.crash(l.id));
          c.schedule(c.now() + rng.range(1, 3) * electionMs, () => c.restart(l.id));
          count('leader-crash');
        }
      }
      if (rng.chance(mix.allCrashRate)) {
        for (const n of up()) {
          c.crash(n.id);
          c.schedule(c.now() + rng.range(1, 3) * electionMs, () => c.restart(n.id));
        }
        count('all-crash');
      }
      if (rng.chance(mix.confChangeRate)) {
        const kind = membershipChange(c, rng, joiners);
        if (kind !== null) {
          count(kind);
          if (kind === 'add-learner' || kind === 'add-voter') joiners++;
        }
      }
      if (rng.chance(mix.transferRate)) {
        const l = c.leader();
        if (l !== null) {
          const voters = l.raft!.status().conf.voters.filter((v) => v !== l.id);
          if (voters.length > 0) {
            l.raft!.transferLeadership(rng.pick(voters));
            c.settle(l);
            count('transfer');
          }
        }
      }
      if (rng.chance(mix.spuriousDisconnectRate)) {
        const n = up();
        if (n.length > 1) {
          const a = rng.pick(n);
          const b = rng.pick(n.filter((x) => x !== a));
          a.raft!.peerDisconnected(b.id);
          c.settle(a);
          count('spurious-disconnect');
        }
      }
    }
    // Quiesce: heal, restart everyone, stop clients, and let outstanding work finish.
    c.heal();
    c.clients?.stop();
    // Faults stop, and the network calms down (Raft's timing requirement: broadcast time ≪
    // election timeout), so progress is possible and required.
    c.opts.crashInReadyRate = 0;
    c.opts.net.dropRate = Math.min(c.opts.net.dropRate, 0.05);
    c.opts.net.latencyMaxMs = Math.min(c.opts.net.latencyMaxMs, Math.max(2, Math.round(electionMs / 5)));
    for (const n of c.nodes.values()) if (!n.up) c.restart(n.id);
    // Liveness: with the network healed and everyone up, the cluster must converge — a leader
    // whose whole log is committed, and every member applied up to it.
    let ok = false;
    for (let t = 0; t < livenessElectionTimeouts * 2 * electionMs && !ok; t += tickMs) {
      c.run(tickMs);
      ok = converged(c);
    }
    if (!ok) {
      throw new SafetyViolation('liveness', `no convergence ${livenessElectionTimeouts} election timeouts after healing:\n${describe(c)}`);
    }
    c.run(5 * electionMs);
    c.clients?.closeAll();
    const history = c.clients?.history() ?? [];
    const verdict = checkLinearizable(history);
    if (!verdict.ok) {
      const lines = [...verdict.ops].sort((a, b) => a.call - b.call).map((h) => `  c${h.client} ${JSON.stringify(h.op)} [${h.call}, ${h.ret}] -> ${JSON.stringify(h.result)}`);
      throw new SafetyViolation('linearizability', `key ${verdict.key}: ${verdict.reason}\n${lines.slice(0, 60).join('\n')}`);
    }
    for (const [k, v] of Object.entries(c.counts)) faults[k] = (faults[k] ?? 0) + v;
    return { seed: o.seed, ok: true, violation: null, elections: c.checkers.elections(), commits: c.checkers.commits(), operations: c.clients?.completed ?? 0, faults };
  } catch (err) {
    const violation = err instanceof SafetyViolation ? err.message : `exception: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
    return { seed: o.seed, ok: false, violation, elections: c.checkers.elections(), commits: c.checkers.commits(), operations: c.clients?.completed ?? 0, faults };
  }
}

/** Election timeouts a healed cluster gets to converge (elections, catch-up, snapshots). */
const livenessElectionTimeouts = 60;

function converged(c: SimCluster): boolean {
  const l = c.leader();
  if (l === null) return false;
  const st = l.raft!.status();
  if (st.commit !== st.lastIndex) return false;
  for (const id of [...st.conf.voters, ...st.conf.learners]) {
    const n = c.nodes.get(id);
    if (n?.raft == null || n.raft.basicStatus().applied !== st.commit) return false;
  }
  return true;
}

function describe(c: SimCluster): string {
  const lines: string[] = [];
  for (const n of c.nodes.values()) {
    const st = n.raft?.status();
    if (st === undefined) {
      lines.push(`  ${n.id}: down`);
      continue;
    }
    const prs = [...st.progress].map(([p, pr]) => `${p}:${pr.state}/${pr.match}/${pr.next}${pr.recentActive ? '' : '/inactive'}`).join(' ');
    lines.push(`  ${n.id}: ${st.role} term ${st.term} leader ${st.leader} commit ${st.commit} applied ${st.applied} log [${st.firstIndex}, ${st.lastIndex}] voters ${st.conf.voters.join(',')} learners ${st.conf.learners.join(',')} ${prs}`);
  }
  return lines.join('\n');
}

function notify(c: SimCluster, rng: Prng, at: string, lost: string): void {
  c.schedule(c.now() + rng.range(1, 20), () => {
    const n = c.nodes.get(at);
    if (n?.raft == null) return;
    n.raft.peerDisconnected(lost);
    c.settle(n);
  });
}

/** Proposes one random membership change on the leader; returns its kind if proposed. */
function membershipChange(c: SimCluster, rng: Prng, joiners: number): string | null {
  const l = c.leader();
  if (l === null) return null;
  const st = l.raft!.status();
  const { voters, learners } = st.conf;
  const options: (() => string | null)[] = [];
  if (joiners < joinersMax) {
    options.push(() => {
      const id = `j${joiners + 1}`;
      const direct = rng.chance(0.2);
      const res = l.raft!.proposeConfChange({ type: direct ? 'add-voter' : 'add-learner', node: id });
      if (res.kind !== 'appended') return null;
      c.addNode(id, null);
      return direct ? 'add-voter' : 'add-learner';
    });
  }
  // Promote a learner once it has caught up with the commit index (§4.2.1 of the dissertation).
  const ready = learners.filter((id) => (st.progress.get(id)?.match ?? 0) >= st.commit);
  if (ready.length > 0) options.push(() => (l.raft!.proposeConfChange({ type: 'promote-learner', node: rng.pick(ready) }).kind === 'appended' ? 'promote' : null));
  if (voters.length > votersMin) options.push(() => (l.raft!.proposeConfChange({ type: 'remove', node: rng.pick(voters) }).kind === 'appended' ? 'remove-voter' : null));
  if (learners.length > 0) options.push(() => (l.raft!.proposeConfChange({ type: 'remove', node: rng.pick(learners) }).kind === 'appended' ? 'remove-learner' : null));
  if (options.length === 0) return null;
  const kind = rng.pick(options)();
  c.settle(l);
  return kind;
}
