import { leaseExpired, type ClusterState, type Command, type CommandResult } from '../src/cluster/index.js';
import type { ConfChange, RaftNode } from '../src/raft/index.js';

/**
 * How often the leader looks for work: expired leases (of seconds) and membership. Placement
 * happens on apply, so nothing here is on a job's path; every node runs the timer (a follower's
 * round is one role check), so it is kept slow for idle CPU.
 */
export const leaderDutyMs = 100;
/** A learner within this many entries of the leader's log counts as caught up. */
const learnerCaughtUpEntries = 20;
/** A voter down this long is replaced by a healthy learner (Consul's autopilot does the same). */
const voterDeadReplaceMs = 30_000;

export interface LeaderDutiesInit {
  raft: RaftNode;
  state(): ClusterState;
  propose(cmd: Command): Promise<CommandResult>;
  proposeConfChange(cc: ConfChange): void;
  log: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

/**
 * What only the leader does, each a proposal so every node sees the same decisions: declare
 * silent nodes down, and keep Raft's membership in step with the cluster's
 * nodes (new nodes join as learners and are promoted while voters are fewer than the maximum).
 */
export class LeaderDuties {
  private timer: NodeJS.Timeout | null = null;
  private leaderSinceMs: number | null = null;
  /** Placements and downs proposed but not yet applied, so one decision is proposed once. */
  private readonly inFlight = new Set<string>();

  constructor(private readonly init: LeaderDutiesInit) {}

  start(): void {
    this.timer = setInterval(() => this.run(), leaderDutyMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Runs one round now (also called right after a relevant entry is applied). */
  run(): void {
    const { raft } = this.init;
    // basicStatus: no configuration or progress copied (this runs after every applied batch).
    const st = raft.basicStatus();
    if (st.role !== 'leader') {
      this.leaderSinceMs = null;
      return;
    }
    this.leaderSinceMs ??= Date.now();
    const state = this.init.state();
    for (const cmd of leaseExpired(state, Date.now(), { leaderSinceMs: this.leaderSinceMs })) this.once(`down:${cmd.node}`, cmd);
    this.membership(state);
  }

  private once(key: string, cmd: Command): void {
    if (this.inFlight.has(key)) return;
    this.inFlight.add(key);
    void this.init.propose(cmd).finally(() => this.inFlight.delete(key));
  }

  private membership(state: ClusterState): void {
    const { raft } = this.init;
    const st = raft.status();
    const voters = new Set(st.conf.voters);
    const learners = new Set(st.conf.learners);
    const nodes = Object.values(state.nodes);
    // A node the cluster knows but Raft does not: add it as a learner (one change at a time).
    const newcomer = nodes.find((n) => n.state === 'up' && !voters.has(n.id) && !learners.has(n.id));
    if (newcomer) return this.change(`learner:${newcomer.id}`, { type: 'add-learner', node: newcomer.id });
    // Promote caught-up learners while there are fewer voters than the maximum.
    const max = state.config.maxVoters;
    const lastIndex = st.lastIndex;
    const caughtUp = (id: string) => (st.progress.get(id)?.match ?? 0) >= lastIndex - learnerCaughtUpEntries;
    const learnerUp = nodes.find((n) => learners.has(n.id) && n.state === 'up' && caughtUp(n.id));
    if (learnerUp && voters.size < max) {
      this.change(`promote:${learnerUp.id}`, { type: 'promote-learner', node: learnerUp.id });
      this.once(`role:${learnerUp.name}:voter`, { kind: 'NodeRoleSet', node: learnerUp.name, role: 'voter' });
      return;
    }
    // Replace a voter that has been down too long by a healthy learner.
    const now = Date.now();
    const dead = nodes.find((n) => voters.has(n.id) && n.id !== raft.id && n.state === 'down' && now - n.lastHeartbeatMs > voterDeadReplaceMs);
    if (dead && learnerUp) {
      this.change(`remove:${dead.id}`, { type: 'remove', node: dead.id });
      this.once(`role:${dead.name}:learner`, { kind: 'NodeRoleSet', node: dead.name, role: 'learner' });
    }
  }

  private change(key: string, cc: ConfChange): void {
    if (this.inFlight.has(key)) return;
    this.inFlight.add(key);
    this.init.proposeConfChange(cc);
    this.init.log.info({ change: cc }, 'membership change proposed');
    // Conf changes are applied by the core itself; allow another try after a while.
    setTimeout(() => this.inFlight.delete(key), 2000).unref();
  }
}
