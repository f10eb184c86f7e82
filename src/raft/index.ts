/**
 * The Raft consensus core: deterministic (no I/O, no clock, injected randomness), built the way
 * etcd-io/raft is. See raw-node.ts for the Ready contract (persist, send, apply, advance).
 */
export type { ConfState, Entry, EntryType, HardState, NodeId, Random, Snapshot, SnapshotMeta } from './types.js';
export type { Message, MessageOf, MessageType } from './message.js';
export { messageTypes } from './message.js';
export { createRaft } from './raw-node.js';
export type { BasicStatus, PeerProgress, RaftNode, Ready, SoftState, Status } from './raw-node.js';
export type { RaftConfig } from './config.js';
export type { DropReason, ProposeResult, ReadState, RequestResult, Role } from './raft.js';
export { MemoryStorage, emptyHardState } from './storage.js';
export type { InitialState, Storage } from './storage.js';
export { decodeMessage, encodeMessage, wireVersion } from './codec.js';
export { applyConfChangeTo, confChangeProblem, decodeConfChange, encodeConfChange } from './conf-change.js';
export type { ConfChange, ConfChangeType } from './conf-change.js';
export * from './constants.js';
