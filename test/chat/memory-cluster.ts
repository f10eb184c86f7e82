import type { ApiService, LogChunk, SubmitRequest } from '../../src/api/index.js';
import { CairnError } from '../../src/util/errors.js';

interface MemJob {
  id: string;
  run: string;
  name: string;
  state: string;
  node: string | null;
  reason: string | null;
  exitCode: number | null;
  attempts: number;
  log: string[];
}

interface MemRun {
  id: string;
  pipeline: string;
  jobs: string[];
  ref: string | null;
  authorEmail: string | null;
}

const terminal = new Set(['succeeded', 'failed', 'cancelled', 'lost']);

/**
 * A small in-memory cluster behind a real `createApiServer`, serving SPEC.md's view shapes
 * (plus `authorEmail`, which the bot reads when the cluster provides it). The test moves jobs
 * through their states by hand, the way the scheduler and a node would.
 */
export class MemoryCluster implements ApiService {
  leader: string | null = 'node-a';
  term = 3;
  /** Set to make every call fail as a leaderless node would. */
  noLeader = false;
  readonly pipelinesByName: Record<string, string[]> = { ci: ['build'], app: ['build', 'test'] };
  /** The commit author of a ref, as the cluster would read it from the repository. */
  readonly authors: Record<string, string> = {};
  readonly chatUsers: Record<string, string> = {};
  readonly cancelled: string[] = [];
  readonly submitted: SubmitRequest[] = [];
  /** What `GET /v1/history` answers, newest first. */
  historyRecords: unknown[] = [];
  private readonly runs = new Map<string, MemRun>();
  private readonly jobsById = new Map<string, MemJob>();
  private nextRun = 1;

  private check(): void {
    if (this.noLeader) throw new CairnError('NO_LEADER', 'no leader (election in progress)');
  }

  /** Moves a job on; `log` lines are appended to its log. */
  set(id: string, state: string, extra: { exitCode?: number; reason?: string; log?: string[]; node?: string; attempts?: number } = {}): void {
    const j = this.jobsById.get(id);
    if (j === undefined) throw new Error(`no job ${id}`);
    j.state = state;
    if (state === 'running' || state === 'placed') j.node = extra.node ?? j.node ?? 'node-b';
    if (state === 'running') j.attempts = Math.max(1, j.attempts);
    if (extra.attempts !== undefined) j.attempts = extra.attempts;
    if (extra.exitCode !== undefined) j.exitCode = extra.exitCode;
    if (extra.reason !== undefined) j.reason = extra.reason;
    if (extra.log) j.log.push(...extra.log);
  }

  private row(j: MemJob) {
    const run = this.runs.get(j.run)!;
    return { id: j.id, name: j.name, state: j.state, node: j.node, labels: ['linux'], run: j.run, pipeline: run.pipeline, attempt: j.attempts, reason: j.reason, ...(run.authorEmail ? { authorEmail: run.authorEmail } : {}) };
  }

  private attemptsOf(j: MemJob) {
    return Array.from({ length: j.attempts }, (_, i) => ({
      n: i + 1,
      job: j.id,
      node: j.node ?? 'node-b',
      state: i + 1 === j.attempts ? (j.state === 'queued' ? 'placed' : j.state) : 'lost',
      exitCode: i + 1 === j.attempts ? j.exitCode : null,
      placedAt: 1_000,
      startedAt: 2_000,
      finishedAt: terminal.has(j.state) ? 5_000 : null,
      logDigest: null,
      reason: null,
    }));
  }

  async cluster() {
    this.check();
    return { leader: this.leader, term: this.term, nodes: await this.nodes(), config: { chatUsers: { ...this.chatUsers } } };
  }
  async nodes() {
    this.check();
    return ['node-a', 'node-b'].map((name) => ({ name, id: `id-${name}`, addrs: [], labels: ['linux', `name=${name}`], role: name === this.leader ? 'leader' : 'voter', state: 'up', slots: 2, running: [...this.jobsById.values()].filter((j) => j.node === name && j.state === 'running').length, draining: false, lastHeartbeatAt: 0, reason: null }));
  }
  async submit(req: SubmitRequest) {
    this.check();
    const name = req.name ?? 'inline';
    const jobs = this.pipelinesByName[name];
    if (jobs === undefined) throw new CairnError('PIPELINE_NOT_FOUND', `no pipeline named ${name}`, { name });
    this.submitted.push(req);
    const id = String(this.nextRun++);
    const ref = req.ref ?? null;
    this.runs.set(id, { id, pipeline: name, jobs: jobs.map((_, i) => `${id}.${i + 1}`), ref, authorEmail: ref === null ? null : (this.authors[ref] ?? null) });
    jobs.forEach((jn, i) => this.jobsById.set(`${id}.${i + 1}`, { id: `${id}.${i + 1}`, run: id, name: jn, state: 'queued', node: null, reason: null, exitCode: null, attempts: 0, log: [] }));
    return { id, state: 'queued' };
  }
  async jobs(query: { state?: string }) {
    this.check();
    return [...this.jobsById.values()].filter((j) => query.state === undefined || j.state === query.state).map((j) => this.row(j));
  }
  async job(id: string) {
    this.check();
    const j = this.jobsById.get(id);
    if (j !== undefined) {
      const run = this.runs.get(j.run)!;
      return { ...this.row(j), attempts: this.attemptsOf(j), jobs: [{ id: j.id, name: j.name, state: j.state, node: j.node }], result: null, outputs: {}, needs: [], submittedAt: 1_000, finishedAt: terminal.has(j.state) ? 5_000 : null, waiting: null, source: run.ref === null ? null : { repo: 'https://example.com/app.git', ref: run.ref } };
    }
    const run = this.runs.get(id);
    if (run === undefined) throw new CairnError('NOT_FOUND', `no job or run ${id}`, { id });
    const jobs = run.jobs.map((x) => this.jobsById.get(x)!);
    const failed = jobs.find((x) => x.state === 'failed' || x.state === 'lost');
    const state = jobs.length === 1 ? jobs[0]!.state : jobs.every((x) => terminal.has(x.state)) ? (failed ? 'failed' : jobs.some((x) => x.state === 'cancelled') ? 'cancelled' : 'succeeded') : jobs.some((x) => x.state === 'running') ? 'running' : 'queued';
    return { id, name: run.pipeline, state, node: jobs[jobs.length - 1]!.node, labels: ['linux'], reason: failed ? `${failed.name}: ${failed.reason ?? 'failed'}` : null, attempts: jobs.flatMap((x) => this.attemptsOf(x)), run: id, pipeline: run.pipeline, jobs: jobs.map((x) => ({ id: x.id, name: x.name, state: x.state, node: x.node })), result: null, outputs: {}, needs: [], submittedAt: 1_000, finishedAt: null, waiting: null };
  }
  async *logs(id: string, opts: { from: number }): AsyncIterable<LogChunk> {
    this.check();
    const j = this.jobsById.get(id);
    if (j === undefined) throw new CairnError('NOT_FOUND', `no job ${id}`, { id });
    const enc = new TextEncoder();
    for (let seq = opts.from; seq < j.log.length; seq++) yield { seq, data: enc.encode(j.log[seq]!) };
  }
  async cancel(id: string) {
    this.check();
    const ids = this.runs.get(id)?.jobs ?? (this.jobsById.has(id) ? [id] : null);
    if (ids === null) throw new CairnError('NOT_FOUND', `no job or run ${id}`, { id });
    for (const x of ids) {
      const j = this.jobsById.get(x)!;
      if (!terminal.has(j.state)) j.state = 'cancelled';
    }
    this.cancelled.push(id);
    return { id, state: 'cancelled' };
  }
  async history(query: { limit: number }) {
    this.check();
    return this.historyRecords.slice(0, query.limit);
  }
  async pipelines() {
    return Object.keys(this.pipelinesByName).map((name) => ({ name }));
  }
  async addPipeline(r: unknown) {
    return r;
  }
  async removePipeline(name: string) {
    return { name };
  }
  async health() {
    return { ok: true };
  }
  async metrics() {
    return { contentType: 'text/plain; version=0.0.4', body: '' };
  }
}
