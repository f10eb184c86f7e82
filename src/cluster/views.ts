/**
 * Views: SPEC.md's `--json` shapes, computed from the state (the API serves them as they are).
 * Times are milliseconds since the epoch, from log entries.
 */
import type { Explanation, NodeView } from '../scheduler/index.js';
import { explain, parseLabelTerms } from '../scheduler/index.js';
import { CairnError } from '../util/errors.js';
import { readiness } from './readiness.js';
import { nodeViews } from './schedule.js';
import type { ClusterState, JobRecord, JobState, RunRecord, RunSource } from './types.js';
import { jobStates } from './types.js';

/** What Raft knows and the state machine does not: who leads, in which term. */
export interface RaftInfo {
  /** The leader's peer id or node name, or null. */
  leader: string | null;
  term: number;
}

export interface NodeStatusView {
  name: string;
  id: string;
  addrs: string[];
  api: string | null;
  labels: string[];
  role: 'leader' | 'voter' | 'learner';
  state: 'up' | 'down';
  slots: number;
  running: number;
  draining: boolean;
  lastHeartbeatAt: number;
  reason: string | null;
}

export interface ClusterStatusView {
  leader: string | null;
  term: number;
  nodes: NodeStatusView[];
}

/** `cairn cluster status --json`. */
export function clusterStatusView(state: ClusterState, raft: RaftInfo): ClusterStatusView {
  const nodes = Object.values(state.nodes).sort((a, b) => (a.name < b.name ? -1 : 1));
  const leader = nodes.find((n) => raft.leader !== null && (n.id === raft.leader || n.name === raft.leader)) ?? null;
  return {
    leader: leader?.name ?? null,
    term: raft.term,
    nodes: nodes.map((n) => ({
      name: n.name,
      id: n.id,
      addrs: [...n.addrs],
      api: n.api ?? null,
      labels: [...n.labels],
      role: n === leader ? 'leader' : n.role,
      state: n.state,
      slots: n.slots,
      running: n.running,
      draining: n.draining,
      lastHeartbeatAt: n.lastHeartbeatMs,
      reason: n.downReason,
    })),
  };
}

export function isJobState(s: string): s is JobState {
  return (jobStates as readonly string[]).includes(s);
}

/** Why a queued job waits, as text and (when nodes are the reason) the scheduler's data. */
export function whyWaiting(state: ClusterState, job: JobRecord, views: readonly NodeView[] = nodeViews(state)): { text: string; explanation: Explanation | null } | null {
  if (job.state === 'placed') return { text: `placed on ${job.node}, waiting for it to start`, explanation: null };
  if (job.state !== 'queued') return null;
  const r = readiness(state, job);
  if (!r.ready) return { text: r.why, explanation: null };
  const e = explain(parseLabelTerms(job.labels), views);
  const retry = job.attempts.length > 0 && job.reason !== null ? `${job.reason}; ` : '';
  return { text: `${retry}${e.code === 'can-run' ? `${e.text} (next scheduling pass)` : e.text}`, explanation: e };
}

export interface JobRowView {
  id: string;
  name: string;
  state: JobState;
  node: string | null;
  labels: string[];
  run: string;
  pipeline: string;
  attempt: number;
  reason: string | null;
  /** The commit author's e-mail of the run's source, when known (the chat bot's committer notifications). */
  authorEmail: string | null;
}

function reasonOf(state: ClusterState, job: JobRecord, views: readonly NodeView[]): string | null {
  return whyWaiting(state, job, views)?.text ?? job.reason;
}

/** `cairn jobs --json`: jobs in submission order; `limit` keeps the newest. */
export function jobsView(state: ClusterState, opts: { state?: JobState; limit?: number } = {}): JobRowView[] {
  const views = nodeViews(state);
  let jobs = Object.values(state.jobs).sort((a, b) => a.seq - b.seq);
  if (opts.state !== undefined) jobs = jobs.filter((j) => j.state === opts.state);
  if (opts.limit !== undefined) jobs = jobs.slice(Math.max(0, jobs.length - opts.limit));
  return jobs.map((j) => ({
    id: j.id,
    name: j.name,
    state: j.state,
    node: j.node,
    labels: [...j.labels],
    run: j.run,
    pipeline: state.runs[j.run]?.pipeline ?? '',
    attempt: j.attempts.length,
    reason: reasonOf(state, j, views),
    authorEmail: authorEmailOf(state.runs[j.run]),
  }));
}

export interface AttemptView {
  n: number;
  /** The job it belongs to (useful in a run's view, where attempts of all its jobs are listed). */
  job: string;
  node: string;
  state: string;
  exitCode: number | null;
  placedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  logDigest: string | null;
  reason: string | null;
}

export interface JobStatusView {
  id: string;
  name: string;
  state: JobState;
  node: string | null;
  labels: string[];
  reason: string | null;
  attempts: AttemptView[];
  run: string;
  pipeline: string;
  /** The jobs of a run (for a run id); one entry, itself, for a job id. */
  jobs: Array<{ id: string; name: string; state: JobState; node: string | null }>;
  result: string | null;
  outputs: Record<string, string>;
  needs: string[];
  submittedAt: number;
  finishedAt: number | null;
  /** The scheduler's explanation when nodes are why it waits. */
  waiting: Explanation | null;
  /** Where the run's code came from (repo, ref, commit author e-mail), or null. */
  source: RunSource | null;
  /** The commit author's e-mail of the run's source, when known. */
  authorEmail: string | null;
}

function authorEmailOf(run: RunRecord | undefined): string | null {
  return run?.source?.authorEmail ?? null;
}

function sourceOf(run: RunRecord | undefined): RunSource | null {
  return run?.source ? { ...run.source } : null;
}

function attemptsOf(job: JobRecord): AttemptView[] {
  return job.attempts.map((a) => ({ n: a.n, job: job.id, node: a.node, state: a.state, exitCode: a.exitCode, placedAt: a.placedAtMs, startedAt: a.startedAtMs, finishedAt: a.finishedAtMs, logDigest: a.logDigest, reason: a.reason }));
}

/** A run's state in job-state words: a one-job run is its job; otherwise running/placed/queued, then how it ended. */
function runJobState(run: RunRecord, jobs: JobRecord[]): JobState {
  if (jobs.length === 1) return jobs[0]!.state;
  if (run.state !== 'running') return run.state;
  if (jobs.some((j) => j.state === 'running')) return 'running';
  if (jobs.some((j) => j.state === 'placed')) return 'placed';
  return 'queued';
}

/** `cairn status ID --json` for a job id (`7.2`) or a run id (`7`, as `submit` returns). Throws NOT_FOUND. */
export function jobStatusView(state: ClusterState, id: string): JobStatusView {
  const views = nodeViews(state);
  const job = state.jobs[id];
  if (job !== undefined) {
    const why = whyWaiting(state, job, views);
    return {
      id: job.id,
      name: job.name,
      state: job.state,
      node: job.node,
      labels: [...job.labels],
      reason: why?.text ?? job.reason,
      attempts: attemptsOf(job),
      run: job.run,
      pipeline: state.runs[job.run]?.pipeline ?? '',
      jobs: [{ id: job.id, name: job.name, state: job.state, node: job.node }],
      result: job.result,
      outputs: { ...job.outputs },
      needs: [...job.needs],
      submittedAt: job.submittedAtMs,
      finishedAt: job.finishedAtMs,
      waiting: why?.explanation ?? null,
      source: sourceOf(state.runs[job.run]),
      authorEmail: authorEmailOf(state.runs[job.run]),
    };
  }
  const run = state.runs[id];
  if (run === undefined) throw new CairnError('NOT_FOUND', `no job or run ${id}`, { id });
  const jobs = run.jobs.map((j) => state.jobs[j]).filter((j): j is JobRecord => j !== undefined);
  const open = jobs.find((j) => j.state === 'queued' || j.state === 'placed');
  const why = open === undefined ? null : whyWaiting(state, open, views);
  const last = [...jobs].reverse().find((j) => j.node !== null);
  const ended = jobs.find((j) => j.result === 'failure') ?? jobs.find((j) => j.result === 'cancelled');
  return {
    id: run.id,
    name: run.pipeline,
    state: runJobState(run, jobs),
    node: jobs.length === 1 ? jobs[0]!.node : (last?.node ?? null),
    labels: [...new Set(jobs.flatMap((j) => j.labels))],
    reason: why !== null && open !== undefined ? `${open.name}: ${why.text}` : (ended ? `${ended.name}: ${ended.reason ?? ended.state}` : null),
    attempts: jobs.flatMap(attemptsOf),
    run: run.id,
    pipeline: run.pipeline,
    jobs: jobs.map((j) => ({ id: j.id, name: j.name, state: j.state, node: j.node })),
    result: run.state === 'running' ? null : run.state,
    outputs: jobs.length === 1 ? { ...jobs[0]!.outputs } : {},
    needs: [],
    submittedAt: run.submittedAtMs,
    finishedAt: run.finishedAtMs,
    waiting: why?.explanation ?? null,
    source: sourceOf(run),
    authorEmail: authorEmailOf(run),
  };
}
