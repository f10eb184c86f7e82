import { describe, expect, it } from 'vitest';
import { createAuthorizer, type AccountStatus } from '../../src/chat/index.js';

/** rfc1459 case mapping: []\~ are the upper case of {}|^. */
const fold = (s: string) => s.toLowerCase().replace(/\[/g, '{').replace(/]/g, '}').replace(/\\/g, '|').replace(/~/g, '^');
const none: AccountStatus = { kind: 'none' };
const unsupported: AccountStatus = { kind: 'unsupported' };
const account = (name: string): AccountStatus => ({ kind: 'account', name });

describe('createAuthorizer', () => {
  const auth = createAuthorizer(['alice', 'Bob[m]', ' '], fold);

  it('allows listed nicks on a network without accounts, with IRC case mapping', () => {
    expect(auth.check('alice', unsupported)).toEqual({ allowed: true });
    expect(auth.check('ALICE', unsupported)).toEqual({ allowed: true });
    expect(auth.check('bob{M}', unsupported)).toEqual({ allowed: true });
    expect(auth.check('mallory', unsupported)).toEqual({ allowed: false, reason: 'you are not allowed to do that' });
  });

  it('goes by the account where the network has accounts, not by the nick', () => {
    expect(auth.check('somenick', account('alice'))).toEqual({ allowed: true });
    // Someone took the free nick "alice" but is logged in as mallory (or not at all).
    expect(auth.check('alice', account('mallory'))).toEqual({ allowed: false, reason: 'account mallory is not allowed to do that' });
    expect(auth.check('alice', none)).toEqual({ allowed: false, reason: 'log in to your account first' });
    expect(auth.check('mallory', none)).toEqual({ allowed: false, reason: 'you are not allowed to do that' });
  });

  it('lets no one change anything when the list is empty', () => {
    const nobody = createAuthorizer([], fold);
    expect(nobody.anyone).toBe(false);
    expect(nobody.check('alice', unsupported).allowed).toBe(false);
    expect(nobody.check('alice', account('alice')).allowed).toBe(false);
    expect(auth.anyone).toBe(true);
  });
});
