import { terminalJobStates } from './parse-views.js';
import type { ClusterInfo, JobRow, ReplEvent } from './types.js';

/** What one poll saw: the cluster view and the job list. */
export interface ClusterSnapshot {
  cluster: ClusterInfo;
  jobs: JobRow[];
}

/**
 * The events between two polls: the leader changed, a node went down or came back or joined,
 * a job started, was retried or finished. Pure, so the feed is the same whether it comes from
 * polling or, later, from the API's event stream.
 */
export function diffSnapshots(prev: ClusterSnapshot | null, next: ClusterSnapshot, at: number): ReplEvent[] {
  if (prev === null) return [];
  return [...diffCluster(prev.cluster, next.cluster, at), ...diffJobs(prev.jobs, next.jobs, at)];
}

function diffCluster(prev: ClusterInfo, next: ClusterInfo, at: number): ReplEvent[] {
  const out: ReplEvent[] = [];
  if (next.leader !== prev.leader && next.leader !== null) {
    const from = prev.leader === null ? '' : ` (was ${prev.leader})`;
    out.push({ at, kind: 'leader-changed', text: `leader is now ${next.leader}, term ${next.term}${from}`, tone: 'warn' });
  } else if (next.leader === null && prev.leader !== null) {
    out.push({ at, kind: 'leader-changed', text: `leader ${prev.leader} lost; election under way`, tone: 'warn' });
  }
  const before = new Map(prev.nodes.map((n) => [n.name, n]));
  for (const n of next.nodes) {
    const p = before.get(n.name);
    if (p === undefined) {
      out.push({ at, kind: 'node-joined', text: `node ${n.name} joined${n.labels.length ? ` (${n.labels.join(',')})` : ''}`, tone: 'good' });
    } else if (p.state === 'up' && n.state === 'down') {
      out.push({ at, kind: 'node-down', text: `node ${n.name} lost${n.reason ? `: ${n.reason}` : ''}`, tone: 'bad' });
    } else if (p.state === 'down' && n.state === 'up') {
      out.push({ at, kind: 'node-up', text: `node ${n.name} is back`, tone: 'good' });
    }
  }
  return out;
}

function diffJobs(prev: JobRow[], next: JobRow[], at: number): ReplEvent[] {
  const out: ReplEvent[] = [];
  const before = new Map(prev.map((j) => [j.id, j]));
  for (const j of next) {
    const p = before.get(j.id);
    const label = j.name ? `${j.id} ${j.name}` : j.id;
    if (p === undefined) {
      out.push({ at, kind: 'job-submitted', text: `job ${label} ${j.state}`, tone: 'info' });
      continue;
    }
    if (j.attempt > p.attempt && p.attempt > 0) {
      out.push({ at, kind: 'job-retried', text: `job ${label} retried: attempt ${j.attempt}${j.reason ? ` (${j.reason})` : ''}`, tone: 'warn' });
    } else if (j.state === 'running' && p.state !== 'running') {
      out.push({ at, kind: 'job-started', text: `job ${label} running on ${j.node ?? '?'}`, tone: 'info' });
    }
    if (terminalJobStates.has(j.state) && !terminalJobStates.has(p.state)) {
      out.push({ at, kind: 'job-finished', text: `job ${label} ${j.state}${j.node ? ` on ${j.node}` : ''}`, tone: j.state === 'succeeded' ? 'good' : 'bad' });
    }
  }
  return out;
}
