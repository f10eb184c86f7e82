import { ApiClient } from '../api/client.js';
import { CairnError, assert } from '../util/errors.js';
import { clusterRequestMs, endpointsMax, leaderRetryMsMax, leaderRetryMsMin, leaderWaitMsMax } from './constants.js';
import type { Timers } from './types.js';
import { systemTimers } from './types.js';
import { toClusterInfo } from './views.js';

export interface ClusterAccessInit {
  /** REST API URLs of one or more nodes; the first one that answers is used. */
  urls: readonly string[];
  token?: string;
  requestMs?: number;
  /** How long an operation keeps trying while no node answers or there is no leader. */
  leaderWaitMs?: number;
  timers?: Timers;
}

/**
 * The bot's way to the cluster. Any node answers and forwards writes to the leader, so
 * following the leader means: stay on a node that answers, move on when it dies or says
 * there is no leader, wait (bounded) through an election, and head for the leader's own
 * API once a cluster view names it. The REPL has its own follower (src/repl-client); the
 * two are deliberately independent.
 */
export interface ClusterAccess {
  /** Runs a read, retried on other nodes while the cluster is unreachable or leaderless. */
  read<T>(op: (c: ApiClient) => Promise<T>): Promise<T>;
  /**
   * Runs a write. It is retried only when it certainly did not happen (NO_LEADER, or the
   * connection was refused): a timed-out submit may have been accepted, and must not run twice.
   */
  write<T>(op: (c: ApiClient) => Promise<T>): Promise<T>;
  /** The URL in use now. */
  current(): string;
}

export function createClusterAccess(init: ClusterAccessInit): ClusterAccess {
  assert(init.urls.length > 0, 'at least one API URL');
  const timers = init.timers ?? systemTimers;
  const requestMs = init.requestMs ?? clusterRequestMs;
  const waitMs = init.leaderWaitMs ?? leaderWaitMsMax;
  const clients: ApiClient[] = [];
  const add = (url: string): ApiClient => {
    const norm = url.replace(/\/+$/, '');
    const known = clients.find((c) => c.url === norm);
    if (known !== undefined) return known;
    const c = new ApiClient({ url: norm, timeoutMs: requestMs, ...(init.token === undefined ? {} : { token: init.token }) });
    if (clients.length < endpointsMax) clients.push(c);
    return c;
  };
  for (const u of init.urls) add(u);
  let cur = 0;

  const sleep = (ms: number) => new Promise<void>((r) => timers.setTimeout(r, ms));

  /** Learns the leader's API from a cluster view that names it, and makes it the first choice. */
  function learn(view: unknown): void {
    const info = toClusterInfo(view);
    for (const n of info.nodes) if (n.api !== null) add(n.api);
    const leader = info.nodes.find((n) => n.name === info.leader && n.api !== null);
    if (leader?.api) {
      const i = clients.findIndex((c) => c.url === leader.api!.replace(/\/+$/, ''));
      if (i >= 0) cur = i;
    }
  }

  async function run<T>(op: (c: ApiClient) => Promise<T>, retriable: (e: CairnError) => boolean): Promise<T> {
    const deadline = timers.now() + waitMs;
    let pause = leaderRetryMsMin;
    let lastErr: unknown = null;
    for (;;) {
      for (let i = 0; i < clients.length; i++) {
        const idx = (cur + i) % clients.length;
        try {
          const res = await op(clients[idx]!);
          cur = idx;
          return res;
        } catch (err) {
          if (!(err instanceof CairnError) || !retriable(err)) throw err;
          lastErr = err;
        }
      }
      const left = deadline - timers.now();
      if (left <= 0) throw lastErr;
      await sleep(Math.min(pause, left));
      pause = Math.min(pause * 2, leaderRetryMsMax);
      // Between rounds, ask any node who leads now; its view may name a new API to try first.
      await refreshLeader();
    }
  }

  async function refreshLeader(): Promise<void> {
    for (const c of [...clients]) {
      try {
        learn(await c.cluster());
        return;
      } catch {
        // This node is down too; the next round tries the others anyway.
      }
    }
  }

  return {
    read: (op) => run(op, (e) => e.code === 'UNREACHABLE' || e.code === 'NO_LEADER'),
    write: (op) => run(op, (e) => e.code === 'NO_LEADER' || (e.code === 'UNREACHABLE' && connectionRefused(e))),
    current: () => clients[cur]!.url,
  };
}

/** True when the request never reached a server (so a write cannot have happened). */
export function connectionRefused(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ENOTFOUND') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
