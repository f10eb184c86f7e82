/**
 * The working copy of the state for one command. The top-level object is new; the record maps
 * (nodes, jobs, runs, pipelines) are updated in place, because copying a map of thousands of
 * jobs for every entry would make applying cost O(jobs). Records themselves are never changed in
 * place, only replaced, so a shallow copy of the maps (cloneState) is a faithful snapshot.
 * Handlers decide to refuse before they write; `dirty` lets applyCommand check that.
 */
import type { JsonValue } from '../pipeline/types.js';
import type { ErrorCode } from '../util/errors.js';
import { assert } from '../util/errors.js';
import type { ClusterEvent, CommandResult, Effect } from './effects.js';
import { noteJobDeleted, noteJobWritten } from './queued-index.js';
import type { ApplyMeta, ClusterConfig, ClusterState, JobRecord, NodeRecord, RegisteredPipeline, RunRecord } from './types.js';
type Maps = 'nodes' | 'jobs' | 'runs' | 'pipelines';

export class Draft {
  readonly meta: ApplyMeta;
  /** Cluster time for this command: never earlier than any entry applied before. */
  readonly now: number;
  readonly effects: Effect[] = [];
  private readonly s: ClusterState;
  /** Set by the first write: a refusal after a write would leave a half-applied command. */
  dirty = false;

  constructor(base: ClusterState, meta: ApplyMeta) {
    this.meta = meta;
    this.now = Math.max(base.clockMs, meta.timeMs);
    this.s = { ...base, appliedIndex: meta.index, clockMs: this.now };
  }

  /** The current (draft) state, read-only by convention: write through the setters. */
  get state(): ClusterState {
    return this.s;
  }

  private writable<K extends Maps>(k: K): ClusterState[K] {
    this.dirty = true;
    return this.s[k];
  }

  node(name: string): NodeRecord | undefined {
    return this.s.nodes[name];
  }
  job(id: string): JobRecord | undefined {
    return this.s.jobs[id];
  }
  run(id: string): RunRecord | undefined {
    return this.s.runs[id];
  }

  putNode(n: NodeRecord): void {
    this.writable('nodes')[n.name] = n;
  }
  deleteNode(name: string): void {
    delete this.writable('nodes')[name];
  }
  putJob(j: JobRecord): void {
    const jobs = this.writable('jobs');
    jobs[j.id] = j;
    noteJobWritten(jobs, j);
  }
  /** Deletes an ended job (pruning). */
  deleteJob(id: string): void {
    const job = this.s.jobs[id];
    assert(job !== undefined && job.finishedAtMs !== null, `pruning job ${id}, which has not ended`);
    const jobs = this.writable('jobs');
    delete jobs[id];
    noteJobDeleted(jobs, id);
    this.countJobs(-1, 0);
  }
  /** Keeps jobCount and openJobCount in step with the jobs map. */
  countJobs(all: number, open: number): void {
    this.dirty = true;
    this.s.jobCount += all;
    this.s.openJobCount += open;
    assert(this.s.openJobCount >= 0 && this.s.openJobCount <= this.s.jobCount, 'job counts out of step');
  }
  putRun(r: RunRecord): void {
    this.writable('runs')[r.id] = r;
  }
  deleteRun(id: string): void {
    delete this.writable('runs')[id];
  }
  putPipeline(p: RegisteredPipeline): void {
    this.writable('pipelines')[p.name] = p;
  }
  deletePipeline(name: string): void {
    delete this.writable('pipelines')[name];
  }
  setConfig(config: ClusterConfig): void {
    this.dirty = true;
    this.s.config = config;
  }
  /** Takes the next run number and `count` job sequence numbers. */
  takeSeqs(count: number): { run: number; job: number } {
    this.dirty = true;
    const out = { run: this.s.nextRunSeq, job: this.s.nextJobSeq };
    this.s.nextRunSeq += 1;
    this.s.nextJobSeq += count;
    return out;
  }

  /** Changes a node's count of active attempts; the count never goes negative. */
  addRunning(name: string, delta: number): void {
    const n = this.node(name);
    assert(n !== undefined, `running count of unknown node ${name}`);
    assert(n.running + delta >= 0, `running count of ${name} below zero`);
    this.putNode({ ...n, running: n.running + delta });
  }

  emit(effect: Effect): void {
    this.effects.push(effect);
  }
  event(event: ClusterEvent): void {
    this.effects.push({ kind: 'event', event });
  }
}

/** A refusal: the state stays as it was; the proposer gets the code, message and data. */
export function refuse(code: ErrorCode, message: string, data: Record<string, JsonValue> = {}): CommandResult {
  return { ok: false, code, message, data };
}

export const accepted: CommandResult = { ok: true };
