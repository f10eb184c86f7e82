/**
 * The configuration (voters, learners) and the leader's per-peer progress, with the quorum
 * arithmetic on top: commit index by majority (§5.3), election results (§5.2) and whether a
 * quorum was recently heard from (check-quorum). Learners get progress but never count.
 */
import { Progress } from './progress.js';
import type { ConfState, NodeId } from './types.js';

export type VoteResult = 'won' | 'lost' | 'pending';

export class Tracker {
  voters: NodeId[] = [];
  learners: NodeId[] = [];
  readonly progress = new Map<NodeId, Progress>();
  readonly votes = new Map<NodeId, boolean>();

  constructor(private readonly inflightCountMax: number, private readonly inflightBytesMax: number) {}

  confState(): ConfState {
    return { voters: [...this.voters], learners: [...this.learners] };
  }

  isVoter(id: NodeId): boolean {
    return this.voters.includes(id);
  }

  isLearner(id: NodeId): boolean {
    return this.learners.includes(id);
  }

  isMember(id: NodeId): boolean {
    return this.isVoter(id) || this.isLearner(id);
  }

  quorum(): number {
    return Math.floor(this.voters.length / 2) + 1;
  }

  /**
   * Switches to a configuration. Peers that stay keep their progress; new ones start probing
   * at `nextIndex` and count as recently active, so a leader that just added a node does not
   * fail its next check-quorum because of it.
   */
  setConf(conf: ConfState, nextIndex: number): void {
    this.voters = [...conf.voters].sort();
    this.learners = [...conf.learners].sort();
    for (const id of [...this.progress.keys()]) if (!this.isMember(id)) this.progress.delete(id);
    for (const id of [...this.voters, ...this.learners]) {
      const learner = this.isLearner(id);
      const pr = this.progress.get(id);
      if (pr === undefined) {
        const fresh = this.newProgress(id, nextIndex, learner);
        fresh.recentActive = true;
        this.progress.set(id, fresh);
      } else {
        pr.isLearner = learner;
      }
    }
  }

  newProgress(id: NodeId, next: number, learner: boolean): Progress {
    return new Progress(id, next, this.inflightCountMax, this.inflightBytesMax, learner);
  }

  /** The largest index a majority of voters have; Infinity for an empty voter set. */
  committed(): number {
    if (this.voters.length === 0) return Infinity;
    const matches = this.voters.map((id) => this.progress.get(id)?.match ?? 0).sort((a, b) => b - a);
    return matches[this.quorum() - 1]!;
  }

  resetVotes(): void {
    this.votes.clear();
  }

  recordVote(id: NodeId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  /** Outcome of an election from the votes recorded so far, counting voters only. */
  voteResult(votes: ReadonlyMap<NodeId, boolean> | ReadonlySet<NodeId> = this.votes): VoteResult {
    let granted = 0;
    let rejected = 0;
    for (const id of this.voters) {
      const v = votes instanceof Map ? votes.get(id) : votes.has(id) ? true : undefined;
      if (v === true) granted++;
      else if (v === false) rejected++;
    }
    const q = this.quorum();
    if (granted >= q) return 'won';
    if (this.voters.length - rejected < q) return 'lost';
    return 'pending';
  }

  tallyVotes(): { granted: number; rejected: number } {
    let granted = 0;
    let rejected = 0;
    for (const [id, v] of this.votes) {
      if (!this.isVoter(id)) continue;
      if (v) granted++;
      else rejected++;
    }
    return { granted, rejected };
  }

  /** Check-quorum: were a majority of voters (counting `self`) heard from this round? */
  quorumActive(self: NodeId): boolean {
    let active = 0;
    for (const id of this.voters) if (id === self || this.progress.get(id)?.recentActive === true) active++;
    return active >= this.quorum();
  }
}
