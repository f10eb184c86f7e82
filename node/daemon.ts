import { randomBytes, randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { arch as osArch, platform } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createApiServer } from '../src/api/index.js';
import { selfFenceDeadlineMs, type ClusterState } from '../src/cluster/index.js';
import { createNetwork, generateClusterKey, readClusterKey } from '../src/net/index.js';
import { MemoryStorage } from '../src/raft/index.js';
import { openStore } from '../src/store/index.js';
import { CairnError } from '../src/util/errors.js';
import { openWal, restoreStorage } from '../src/wal/index.js';
import { createNodeApi } from './api-service.js';
import { LogService } from '../src/logstore/index.js';
import type { NodeConfig } from './config.js';
import { dataDirLayout } from './data-dir.js';
import { JobHost } from './job-host.js';
import { toBusEvent } from './cluster-events.js';
import { LeaderDuties } from './leader-duties.js';
import { claimPidfile, releasePidfile } from './pidfile.js';
import { Proposer } from './proposer.js';
import { RaftHost } from './raft-host.js';
import { createReloader, type ReloadOutcome } from './reload.js';
import { StateHost } from './state-host.js';

/** Running jobs get this long to finish after SIGTERM before they are stopped. */
export const drainGraceMs = 60_000;
/** A node proposes a heartbeat this often; its lease (cluster config, default 3 s) is several of these. */
const heartbeatMs = 1000;
/** Leadership is handed over on shutdown within this bound, or the node just leaves. */
const transferWaitMs = 2000;

/** A running node, for tests and the signal handlers. */
export interface Daemon {
  readonly name: string;
  readonly apiUrl: string;
  readonly peerId: string;
  addrs(): string[];
  state(): ClusterState;
  /** SIGHUP: re-reads the config file and proposes changed labels and slots. */
  reload(): Promise<ReloadOutcome>;
  stop(opts?: { drain?: boolean }): Promise<void>;
}

/** `cairn node start` in the foreground: SIGHUP reloads labels; runs until SIGTERM/SIGINT, then drains and exits 0. */
export async function runDaemon(config: NodeConfig): Promise<void> {
  // Without a handler SIGHUP would end the process; one that comes while the node starts is
  // answered once it has started. A reload logs its own outcome.
  let daemon: Daemon | null = null;
  let hupWhileStarting = false;
  let stopping = false;
  process.on('SIGHUP', () => {
    if (daemon === null) hupWhileStarting = true;
    else if (!stopping) void daemon.reload();
  });
  const d = await startDaemon(config);
  daemon = d;
  if (hupWhileStarting) void d.reload();
  const log = pino({ name: config.name }, pino.destination(2));
  await new Promise<void>((resolve) => {
    const onTerm = (sig: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal: sig }, 'draining: no new jobs, handing over leadership, waiting for running jobs');
      void d.stop({ drain: true }).then(resolve, (err: unknown) => {
        log.error({ err }, 'unclean stop');
        process.exitCode = 1;
        resolve();
      });
    };
    process.once('SIGTERM', () => onTerm('SIGTERM'));
    process.once('SIGINT', () => onTerm('SIGINT'));
  });
}

/** Composition root: wires network, Raft, WAL, store, state machine, executor and API. */
export async function startDaemon(config: NodeConfig): Promise<Daemon> {
  const layout = dataDirLayout(config.dataDir);
  for (const d of [layout.root, layout.raft, layout.store, layout.logs, layout.work]) await mkdir(d, { recursive: true });
  claimPidfile(layout.pidfile);
  const log = pino({ name: config.name, level: process.env.CAIRN_LOG_LEVEL ?? 'info' }, pino.destination(2));

  const fresh = !existsSync(join(layout.raft, 'wal')) || (await readdir(join(layout.raft, 'wal'))).length === 0;
  const founding = fresh && config.join.length === 0;
  const clusterKey = await loadClusterKey(config, layout.root, founding);

  // The event bus's and the job logs' topics are joined only while something here subscribes
  // (an API events stream, a log follow; the subscription reaches the peers at once): the
  // leader's three or four events a job, and each job's log, then go to no one when no one
  // listens, where every member used to receive, relay and drop them (with a 1,000-job burst,
  // ~30% of the nodes' CPU for the events, ~10% for the logs: bench cluster part b).
  const net = await createNetwork({ peerKeyFile: layout.peerKey, clusterKey, listen: config.listen, join: config.join, log, gossipTopics: [] });
  // Job logs: written here first (the record), then gossiped zstd-compressed; gaps repaired from the owner.
  const logService = new LogService({ network: net, root: layout.logs });
  const { wal, recovered } = await openWal(layout.raft);
  let storage: MemoryStorage;
  if (founding) {
    storage = MemoryStorage.bootstrap({ voters: [net.peerId], learners: [] });
    await wal.saveSnapshot(storage.snapshot());
  } else {
    storage = restoreStorage(recovered);
  }
  const store = await openStore(layout.store);
  const bootId = randomBytes(8).toString('hex');

  let jobHost: JobHost | null = null;
  let lastCommittedHeartbeatSentAtMs = Date.now();
  const stateHost = new StateHost({
    store,
    replayedThrough: recovered.hardState.commit,
    onStart: (e) => jobHost?.start(e),
    onStop: (e) => jobHost?.stop(e),
    // The event bus: the leader publishes what the state machine reports (every node sees the same).
    onEvent: (e) => {
      if (raftHost.raft.basicStatus().role !== 'leader') return;
      // A node joined, came back, drains or went: membership need not wait for the duty timer.
      if (e.type === 'node') duties.run();
      const ev = toBusEvent(e, stateHost.state, Date.now());
      if (ev) logService.events.publish(ev).catch(() => undefined);
    },
  });
  if (recovered.snapshot) await stateHost.restore(recovered.snapshot);

  const raftHost = new RaftHost({
    id: net.peerId,
    storage,
    wal,
    net,
    applied: recovered.snapshot?.meta.index ?? storage.snapshot().meta.index,
    random: { int: (n: number) => randomInt(n) },
    apply: (entries, snap) => stateHost.apply(entries, snap),
    onSoftState: (s) => {
      log.info({ leader: s.leader, role: s.role }, 'raft role');
      if (s.role === 'leader') logService.events.publish({ kind: 'leader-changed', leader: config.name, term: raftHost.raft.basicStatus().term, timeMs: Date.now() }).catch(() => undefined);
    },
    onError: (err) => {
      log.fatal({ err }, 'raft loop failed: stopping this node');
      process.exit(1);
    },
    snapshotData: () => stateHost.snapshotData(),
    onSnapshot: (s) => log.info(s, 'snapshot taken, log compacted'),
    onSnapshotReceived: (s) => log.info(s, 'snapshot received from the leader'),
  });
  const proposer = new Proposer(`${config.name}.${bootId}`, raftHost, stateHost, net);
  const duties = new LeaderDuties({
    raft: raftHost.raft,
    state: () => stateHost.state,
    propose: (cmd) => proposer.propose(cmd),
    proposeConfChange: (cc) => {
      raftHost.raft.proposeConfChange(cc);
      raftHost.kick();
    },
    log,
  });
  jobHost = new JobHost({ node: config.name, workDir: layout.work, propose: (cmd) => proposer.propose(cmd), log, openLog: (job, attempt) => logService.open(job, attempt, { external: true }) });

  // Members' addresses come from the replicated state, so every node can dial every other.
  // Followers only talk to each other once the leader is gone: keep a connection to every member
  // that is up, so a failover's pre-vote never waits for a dial (which took the first failover
  // after a join from ~150 ms to 1.5-1.9 s).
  const learnAddrs = (state: ClusterState) => {
    for (const n of Object.values(state.nodes)) {
      if (n.id === net.peerId || n.addrs.length === 0) continue;
      void net.addPeerAddrs(n.id, n.addrs).catch(() => undefined);
      if (n.state === 'up' && !net.isConnected(n.id)) void net.dial(n.addrs[0]!).catch(() => undefined);
    }
  };

  await logService.start();
  await proposer.serve();
  await net.start();
  raftHost.start();
  // A sole voter need not wait out an election timeout to lead its own new cluster.
  const conf = raftHost.raft.status().conf;
  if (conf.voters.length === 1 && conf.voters[0] === net.peerId) raftHost.raft.campaign();
  duties.start();

  const api = createApiServer({
    host: config.apiHost,
    port: config.apiPort,
    ...(config.apiToken ? { token: config.apiToken } : {}),
    service: createNodeApi({
      name: config.name,
      logs: logService,
      state: () => stateHost.state,
      raftInfo: () => {
        const s = raftHost.raft.status();
        return { leader: s.leader, term: s.term, role: s.role };
      },
      propose: (cmd) => proposer.propose(cmd),
      store,
      net,
      jobsRunning: () => jobHost?.count ?? 0,
    }),
  });
  const apiUrl = await api.start();

  // Announce this boot; then heartbeat. A node that cannot get its own heartbeat applied for most
  // of a lease has lost the quorum: it stops its jobs (the leader will re-run them elsewhere).
  const announce = async () => {
    const sentAtMs = Date.now();
    const res = await proposer.propose({
      kind: 'NodeJoined', node: config.name, id: net.peerId, bootId, addrs: net.addrs(), os: platform(), arch: osArch() === 'x64' ? 'x64' : osArch(),
      labels: config.labels, slots: config.slots, api: apiUrl, ...(founding ? { role: 'voter' as const } : {}),
    }, 60_000);
    if (!res.ok) log.warn({ res }, 'announcing this node failed');
    else lastCommittedHeartbeatSentAtMs = Math.max(lastCommittedHeartbeatSentAtMs, sentAtMs);
  };
  const announced = announce();
  const heartbeat = setInterval(() => {
    learnAddrs(stateHost.state);
    jobHost?.reconcile(stateHost.state);
    const sentAtMs = Date.now();
    void proposer.propose({ kind: 'NodeHeartbeat', node: config.name }, heartbeatMs * 2).then((res) => {
      if (res.ok) lastCommittedHeartbeatSentAtMs = Math.max(lastCommittedHeartbeatSentAtMs, sentAtMs);
    });
    // Stop before the leader (counting a full lease from the entry's later time) runs them elsewhere.
    if (Date.now() > selfFenceDeadlineMs(lastCommittedHeartbeatSentAtMs, stateHost.state.config.leaseMs) && (jobHost?.count ?? 0) > 0) {
      log.warn({}, 'lease expired without a quorum: stopping this node\'s jobs');
      jobHost?.stopAll('lease expired: this node cannot reach a quorum');
    }
  }, heartbeatMs);

  log.info({ api: apiUrl, peerId: net.peerId, addrs: net.addrs(), founding }, 'node started');
  if (process.stdout.isTTY || process.env.CAIRN_PRINT_ADDRS) {
    process.stdout.write(`cairn node ${config.name}: API ${apiUrl}\n  join with: ${net.addrs().map((a) => `--join ${a}`).join(' ')}\n`);
  }

  const reload = createReloader({ config, state: () => stateHost.state, propose: (cmd, deadlineMs) => proposer.propose(cmd, deadlineMs), log });
  let stopped = false;
  return {
    name: config.name,
    apiUrl,
    peerId: net.peerId,
    addrs: () => net.addrs(),
    state: () => stateHost.state,
    reload,
    async stop(opts = {}) {
      if (stopped) return;
      stopped = true;
      clearInterval(heartbeat);
      if (opts.drain) {
        await proposer.propose({ kind: 'NodeDraining', node: config.name, draining: true }, 3000).catch(() => undefined);
        await jobHost?.drain(drainGraceMs);
        await handOver(raftHost);
      } else {
        jobHost?.stopAll('node stopped');
      }
      await announced.catch(() => undefined);
      duties.stop();
      raftHost.stop();
      await raftHost.applied().catch(() => undefined);
      await raftHost.snapshotDone();
      await jobHost?.close();
      await stateHost.flushed().catch((err: unknown) => log.error({ err }, 'history not fully written to the store'));
      await api.stop();
      await logService.stop();
      await net.stop();
      await wal.close();
      await store.close();
      releasePidfile(layout.pidfile);
      log.info({}, 'node stopped');
    },
  };
}

/** A leader that shuts down hands leadership to the most caught-up voter first. */
async function handOver(raftHost: RaftHost): Promise<void> {
  const st = raftHost.raft.status();
  if (st.role !== 'leader') return;
  const target = [...st.progress.entries()]
    .filter(([id, p]) => id !== st.id && !p.learner && st.conf.voters.includes(id))
    .sort((a, b) => b[1].match - a[1].match)[0]?.[0];
  if (!target) return;
  raftHost.raft.transferLeadership(target);
  raftHost.kick();
  const deadline = Date.now() + transferWaitMs;
  while (Date.now() < deadline && raftHost.raft.status().role === 'leader') await new Promise((r) => setTimeout(r, 20));
}

/**
 * The cluster key: `--cluster-key FILE`, or for a founding node without one, a new key kept as
 * `cluster.key` in its data dir (other nodes join with `--cluster-key` pointing at a copy).
 */
async function loadClusterKey(config: NodeConfig, dir: string, founding: boolean): Promise<Uint8Array> {
  if (config.clusterKeyFile) return readClusterKey(config.clusterKeyFile);
  const own = join(dir, 'cluster.key');
  if (existsSync(own)) return readClusterKey(own);
  if (!founding) throw new CairnError('USAGE', 'joining a cluster needs its key: --cluster-key FILE (a copy of the founding node\'s cluster.key)');
  await writeFile(own, generateClusterKey(), { mode: 0o600 });
  return readFile(own);
}
