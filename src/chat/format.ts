/**
 * Views to chat lines: short, plain text, one fact per line, ids first so people can copy
 * them into the next command. No colour codes: adapters may add their own markup.
 */
import { CairnError } from '../util/errors.js';
import { formatDuration, listSome } from './text.js';
import type { AttemptInfo, ClusterInfo, JobInfo, JobRow, NodeInfo } from './views.js';

/** Labels shown per node before "+N more". */
const labelsShownMax = 6;
/** Jobs named in a run's one-line summary before "+N more". */
const runJobsShownMax = 8;

/** `ci/test` or just `ci` when the job is the whole pipeline. */
export function jobTitle(j: { pipeline: string; name: string }): string {
  if (j.pipeline === '' || j.pipeline === j.name) return j.name;
  return `${j.pipeline}/${j.name}`;
}

function lastAttempt(info: JobInfo): AttemptInfo | undefined {
  return info.attempts[info.attempts.length - 1];
}

/** "exit code 2", or the attempt's reason, or nothing. */
function attemptCause(a: AttemptInfo | undefined): string | null {
  if (a === undefined) return null;
  if (a.reason !== null) return a.exitCode !== null && a.exitCode !== 0 ? `${a.reason} (exit code ${a.exitCode})` : a.reason;
  if (a.exitCode !== null && a.exitCode !== 0) return `exit code ${a.exitCode}`;
  return null;
}

function took(info: JobInfo): string {
  const a = lastAttempt(info);
  const start = a?.startedAt ?? null;
  const end = info.finishedAt ?? a?.finishedAt ?? null;
  return start !== null && end !== null && end >= start ? ` in ${formatDuration(end - start)}` : '';
}

/** `!status JOB`: state, node, attempt, and why, for a job or a whole run. */
export function formatJobStatus(info: JobInfo): string[] {
  const isRun = info.jobs.length > 1 || (info.jobs.length === 1 && info.jobs[0]!.id !== info.id);
  if (isRun) {
    const head = `run ${info.id} ${info.pipeline || info.name}: ${info.state}${took(info)}${info.reason ? ` — ${info.reason}` : ''}`;
    const jobs = info.jobs.map((j) => `${j.id} ${j.name} ${j.state}${j.node ? ` on ${j.node}` : ''}`);
    return [head, listSome(jobs, runJobsShownMax)];
  }
  const a = lastAttempt(info);
  const where = info.node ? ` on ${info.node}` : '';
  const attempt = info.attempts.length > 1 ? ` (attempt ${info.attempts.length})` : '';
  const cause = info.state === 'failed' || info.state === 'lost' ? attemptCause(a) : null;
  const why = info.reason ?? cause;
  return [`${info.id} ${jobTitle(info)}: ${info.state}${where}${attempt}${took(info)}${why ? ` — ${why}` : ''}`];
}

/** `!status` with no job: the cluster in one line, then what runs and waits. */
export function formatClusterSummary(cluster: ClusterInfo, jobs: JobRow[], activeShownMax: number): string[] {
  const up = cluster.nodes.filter((n) => n.state === 'up').length;
  const running = jobs.filter((j) => j.state === 'running' || j.state === 'placed');
  const queued = jobs.filter((j) => j.state === 'queued');
  const leader = cluster.leader === null ? 'no leader' : `leader ${cluster.leader} (term ${cluster.term})`;
  const head = `${leader}; ${up}/${cluster.nodes.length} nodes up; ${running.length} running, ${queued.length} queued`;
  const active = [...running, ...queued].map((j) => `${j.id} ${jobTitle(j)} ${j.state}${j.node ? ` on ${j.node}` : ''}${j.state === 'queued' && j.reason ? ` — ${j.reason}` : ''}`);
  if (active.length > activeShownMax) return [head, ...active.slice(0, activeShownMax - 1), `… ${active.length - activeShownMax + 1} more; !status <job> for one`];
  return [head, ...active];
}

/** `!nodes`: one line per node. */
export function formatNodes(nodes: NodeInfo[], leader: string | null): string[] {
  if (nodes.length === 0) return ['no nodes'];
  return nodes.map((n) => {
    const role = n.name === leader ? 'leader' : n.role;
    const state = n.state === 'up' ? (n.draining ? 'draining' : 'up') : `${n.state}${n.reason ? ` (${n.reason})` : ''}`;
    const labels = n.labels.length ? ` · ${listSome(n.labels, labelsShownMax)}` : '';
    return `${n.name} ${role} ${state} ${n.running}/${n.slots} slots${labels}`;
  });
}

/** `!why JOB`: the scheduler's reason a job waits, or the cause of its end. */
export function formatWhy(info: JobInfo): string[] {
  const title = `${info.id} ${jobTitle(info)}`;
  switch (info.state) {
    case 'queued':
    case 'placed':
      return [`${title} waits: ${info.reason ?? 'for the next scheduling pass'}`];
    case 'running':
      return [`${title} is running on ${info.node ?? 'a node'}${info.attempts.length > 1 ? ` (attempt ${info.attempts.length})` : ''}`];
    case 'succeeded':
      return [`${title} succeeded${info.node ? ` on ${info.node}` : ''}${took(info)}`];
    default: {
      const a = lastAttempt(info);
      const cause = info.reason ?? attemptCause(a) ?? 'no reason recorded';
      const lines = [`${title} ${info.state}: ${cause}${a?.node ? ` on ${a.node}` : ''}${info.attempts.length > 1 ? ` after ${info.attempts.length} attempts` : ''}`];
      if (info.state === 'failed' || info.state === 'lost') lines.push(`!logs ${info.id} shows the end of its log`);
      return lines;
    }
  }
}

/** A failed job, for the channel. */
export function formatFailure(job: JobRow): string {
  const where = job.node ? ` on ${job.node}` : '';
  const why = job.reason ? `: ${job.reason}` : '';
  return `FAILED ${jobTitle(job)} (${job.id})${where}${why} — !logs ${job.id}, !why ${job.id}`;
}

/** A failed job, for its committer directly. */
export function formatFailureDirect(job: JobRow, channel: string): string {
  const why = job.reason ? `: ${job.reason}` : '';
  return `your build ${jobTitle(job)} (${job.id}) failed${job.node ? ` on ${job.node}` : ''}${why} — !logs ${job.id} here or in ${channel}`;
}

export function formatFixed(job: JobRow): string {
  return `FIXED ${jobTitle(job)} (${job.id}) succeeded again`;
}

export function formatRunEnded(run: string, pipeline: string, state: string, reason: string | null): string {
  return `run ${run} (${pipeline}) ${state}${reason && state !== 'succeeded' ? ` — ${reason}` : ''}`;
}

/** An operating error, briefly: the cluster's message, or what to do when it is away. */
export function formatError(err: unknown): string {
  if (err instanceof CairnError) {
    switch (err.code) {
      case 'UNREACHABLE':
        return 'the cluster cannot be reached right now; try again shortly';
      case 'NO_LEADER':
        return 'the cluster has no leader right now (an election?); try again shortly';
      case 'NOT_FOUND':
        return err.message;
      default:
        return `${err.message} [${err.code}]`;
    }
  }
  return 'internal error (logged)';
}
