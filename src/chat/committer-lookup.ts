import type { ClusterAccess } from './cluster-access.js';
import type { Timers } from './types.js';
import { systemTimers } from './types.js';

/** The e-mail → nick map is read again after this long, so config changes reach the bot. */
export const committersRefreshMs = 60_000;

/**
 * Commit author e-mail → chat nick, from the cluster config key `chatUsers`. The bot reads it
 * from the cluster view (`config.chatUsers`, or `chatUsers` at its top), cached for
 * `committersRefreshMs`; `extra` entries (tests, a static file) take precedence. E-mails
 * compare case-insensitively, as mail systems treat them in practice.
 */
export function createCommitterLookup(init: { cluster?: ClusterAccess; extra?: Record<string, string>; timers?: Timers }): (email: string) => Promise<string | null> {
  const timers = init.timers ?? systemTimers;
  const extra = lowerKeys(init.extra ?? {});
  let cached: Record<string, string> = {};
  let readAt = -Infinity;
  return async (email) => {
    const key = email.trim().toLowerCase();
    if (extra[key] !== undefined) return extra[key]!;
    if (init.cluster === undefined) return null;
    if (timers.now() - readAt >= committersRefreshMs) {
      const view = (await init.cluster.read((c) => c.cluster())) as { config?: { chatUsers?: unknown }; chatUsers?: unknown } | null;
      cached = lowerKeys(asMap(view?.config?.chatUsers ?? view?.chatUsers));
      readAt = timers.now();
    }
    return cached[key] ?? null;
  };
}

function asMap(v: unknown): Record<string, string> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return {};
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function lowerKeys(m: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k.trim().toLowerCase(), v]));
}
