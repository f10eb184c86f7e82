import type { ClusterEvent, ClusterState } from '../src/cluster/index.js';
import type { CairnEvent } from '../src/logs/index.js';

/**
 * Turns a cluster state machine event into the event bus's vocabulary. Every node applies the
 * same entries and sees the same events; only the leader publishes them (best effort, like all
 * gossip), so subscribers get each once in the common case.
 */
export function toBusEvent(e: ClusterEvent, state: ClusterState, timeMs: number): CairnEvent | null {
  if (e.type === 'node') {
    if (e.state === 'up') return { kind: 'node-joined', node: e.node, timeMs };
    if (e.state === 'down') return { kind: 'node-down', node: e.node, timeMs };
    return { kind: 'node-left', node: e.node, timeMs };
  }
  if (e.type !== 'job') return null;
  const rec = state.jobs[e.job];
  const att = rec?.attempts.find((a) => a.n === e.attempt) ?? rec?.attempts.at(-1);
  switch (e.state) {
    // The event carries the attempts so far when it happened: none for a new job. (The state is
    // the one after the whole entry, which may have placed the job again already.)
    case 'queued':
      return e.attempt !== null
        ? { kind: 'job-retried', job: e.job, attempt: e.attempt + 1, reason: e.reason ?? rec?.attempts.find((a) => a.n === e.attempt)?.reason ?? 'retried', timeMs }
        : { kind: 'job-queued', job: e.job, name: e.name, timeMs };
    case 'running':
      return { kind: 'job-started', job: e.job, attempt: e.attempt ?? att?.n ?? 1, node: e.node ?? att?.node ?? '', timeMs };
    case 'succeeded':
      return {
        kind: 'job-finished', job: e.job, attempt: e.attempt ?? att?.n ?? 1, node: e.node ?? att?.node ?? '',
        durationMs: att?.startedAtMs != null && att.finishedAtMs != null ? att.finishedAtMs - att.startedAtMs : 0, timeMs,
      };
    case 'failed':
    case 'lost':
      return {
        kind: 'job-failed', job: e.job, attempt: e.attempt ?? att?.n ?? 1, node: e.node ?? att?.node ?? '',
        exitCode: att?.exitCode ?? null, reason: e.reason ?? e.state, timeMs,
      };
    case 'cancelled':
      return { kind: 'job-cancelled', job: e.job, attempt: e.attempt, timeMs };
    case 'placed':
      return null;
  }
}
