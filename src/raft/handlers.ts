/**
 * The shape of a role's handler table: one function per message kind. A table missing a kind
 * does not compile, so adding a message forces a decision in every role (STYLE.md, Temporal).
 */
import type { MessageOf, MessageType } from './message.js';
import type { Raft } from './raft.js';

export type HandlerTable = { readonly [T in MessageType]: (r: Raft, m: MessageOf<T>) => void };

/** For kinds a role receives only as stale leftovers of an earlier role or term. */
export function ignore(): void {}
