/**
 * Helpers for the Raft paper rule tests (after etcd's raft_paper_test.go): a node over a
 * storage with a given log and hard state, and shortcuts to make it candidate or leader.
 */
import { MemoryStorage, type Entry, type HardState, type Message, type MessageOf, type MessageType } from '../../src/raft/index.js';
import { drain, newNode, type NodeOptions, type TestNode } from './harness.js';

export const paperOpts: NodeOptions = { preVote: false, checkQuorum: false, electionTimeoutTicks: 10, heartbeatIntervalTicks: 1 };

export function ent(term: number, index: number, data = ''): Entry {
  return { term, index, type: 'normal', data: new TextEncoder().encode(data) };
}

/** A storage at index 0 (like the paper's logs, which start at 1) with `log` given as terms. */
export function storageWith(voters: string[], terms: number[] = [], hs: Partial<HardState> = {}): MemoryStorage {
  const s = new MemoryStorage();
  s.applySnapshot({ meta: { index: 0, term: 0, conf: { voters, learners: [] } }, data: new Uint8Array(0) });
  s.append(terms.map((t, i) => ent(t, i + 1)));
  s.setHardState({ term: 0, vote: null, commit: 0, ...hs });
  return s;
}

export function peers(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `n${i + 1}`);
}

export function paperNode(n: number, terms: number[] = [], hs: Partial<HardState> = {}, opts: NodeOptions = {}, seed = 1): TestNode {
  return newNode('n1', storageWith(peers(n), terms, hs), { ...paperOpts, ...opts }, seed);
}

export function ofType<T extends MessageType>(msgs: Message[], type: T): MessageOf<T>[] {
  return msgs.filter((m): m is MessageOf<T> => m.type === type);
}

/** Makes n1 a candidate (one election timeout's worth of campaign). */
export function makeCandidate(t: TestNode): Message[] {
  t.node.campaign();
  return drain(t);
}

/** Makes n1 leader with votes from every peer; returns what it sent after winning. */
export function makeLeader(t: TestNode): Message[] {
  makeCandidate(t);
  const term = t.node.status().term;
  for (const id of t.node.status().conf.voters) {
    if (id === t.id || t.node.status().role === 'leader') continue;
    t.node.step({ type: 'vote-resp', from: id, to: t.id, term, reject: false });
  }
  return drain(t);
}

export function appResp(from: string, term: number, index: number): Message {
  return { type: 'app-resp', from, to: 'n1', term, index, reject: false, rejectHint: 0, logTerm: 0 };
}

export function terms(t: TestNode): number[] {
  const out: number[] = [];
  for (let i = t.storage.firstIndex(); i <= t.storage.lastIndex(); i++) out.push(t.storage.term(i)!);
  return out;
}
