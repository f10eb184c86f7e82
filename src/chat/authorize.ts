import type { AccountStatus } from './types.js';

export type Decision = { allowed: true } | { allowed: false; reason: string };

export interface Authorizer {
  /** May this sender run a command that changes something? */
  check(nick: string, account: AccountStatus): Decision;
  /** Whether anyone at all may change anything (an empty list allows no one). */
  readonly anyone: boolean;
}

/**
 * The allow list names people; it matches account names where the network provides them and
 * nicks where it does not. Where the network has accounts, a nick alone is not enough: anyone
 * can take a free nick, which is how Buildbot channels got builds forced and stopped by
 * strangers. An empty list lets no one change anything.
 */
export function createAuthorizer(allow: readonly string[], fold: (name: string) => string): Authorizer {
  const names = new Set(allow.map((n) => fold(n.trim())).filter((n) => n !== ''));
  return {
    anyone: names.size > 0,
    check(nick, account) {
      if (names.size === 0) return { allowed: false, reason: 'no one may change anything from chat here (no --allow list)' };
      switch (account.kind) {
        case 'account':
          return names.has(fold(account.name)) ? { allowed: true } : { allowed: false, reason: `account ${account.name} is not allowed to do that` };
        case 'none':
          return { allowed: false, reason: names.has(fold(nick)) ? 'log in to your account first' : 'you are not allowed to do that' };
        case 'unsupported':
          return names.has(fold(nick)) ? { allowed: true } : { allowed: false, reason: 'you are not allowed to do that' };
      }
    },
  };
}
