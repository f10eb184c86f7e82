/**
 * The WAL under the real Raft core: three nodes persist every Ready to their own log, stop,
 * and restart from disk (restoreStorage). The restarted cluster elects a leader, re-applies
 * exactly the committed entries, and keeps committing; with a snapshot and compaction too.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRaft, MemoryStorage, type Entry, type Message, type RaftNode } from '../../src/raft/index.js';
import { openWal, restoreStorage, type Wal } from '../../src/wal/index.js';
import { seededRandom, tempDir } from './helpers.js';

const ids = ['n1', 'n2', 'n3'];
const settleRoundsMax = 10_000;

interface WalNode {
  id: string;
  raft: RaftNode;
  storage: MemoryStorage;
  wal: Wal;
  applied: Entry[];
}

let root: string;
let cleanup: () => Promise<void>;
let nodes: Map<string, WalNode>;
beforeEach(async () => {
  ({ dir: root, cleanup } = await tempDir());
  nodes = new Map();
});
afterEach(async () => {
  try {
    for (const n of nodes.values()) await n.wal.close();
  } finally {
    await cleanup();
  }
});

const dirOf = (id: string): string => join(root, id, 'raft');

/** Founds a cluster: the bootstrap configuration is saved as the snapshot at index 0. */
async function found(): Promise<void> {
  for (const [i, id] of ids.entries()) {
    const { wal } = await openWal(dirOf(id));
    const storage = MemoryStorage.bootstrap({ voters: ids, learners: [] });
    await wal.saveSnapshot(storage.snapshot());
    nodes.set(id, { id, wal, storage, applied: [], raft: createRaft({ id, storage, random: seededRandom(i + 1), electionTimeoutTicks: 10 }) });
  }
}

/** Restarts every node from its log alone. */
async function restart(): Promise<void> {
  for (const n of nodes.values()) await n.wal.close();
  nodes.clear();
  for (const [i, id] of ids.entries()) {
    const { wal, recovered } = await openWal(dirOf(id));
    const storage = restoreStorage(recovered);
    const applied = recovered.snapshot?.meta.index ?? 0;
    nodes.set(id, { id, wal, storage, applied: [], raft: createRaft({ id, storage, random: seededRandom(i + 11), electionTimeoutTicks: 10, applied }) });
  }
}

/** Runs Readies in the documented order (persist, send, apply, advance) until all is quiet. */
async function settle(): Promise<void> {
  for (let round = 0; round < settleRoundsMax; round++) {
    const out: Message[] = [];
    for (const n of nodes.values()) {
      if (!n.raft.hasReady()) continue;
      const rd = n.raft.ready();
      await n.wal.save(rd.hardState, rd.entries, rd.snapshot, { sync: rd.mustSync });
      if (rd.snapshot !== null) n.storage.applySnapshot(rd.snapshot);
      n.storage.append(rd.entries);
      if (rd.hardState !== null) n.storage.setHardState(rd.hardState);
      out.push(...rd.messages);
      n.applied.push(...rd.committedEntries);
      n.raft.advance();
    }
    if (out.length === 0 && ![...nodes.values()].some((n) => n.raft.hasReady())) return;
    for (const m of out) nodes.get(m.to)?.raft.step(m);
  }
  throw new Error('cluster did not settle');
}

async function electLeader(): Promise<WalNode> {
  for (let t = 0; t < 100; t++) {
    const leaders = [...nodes.values()].filter((n) => n.raft.status().role === 'leader');
    if (leaders.length === 1 && leaders[0] !== undefined) return leaders[0];
    for (const n of nodes.values()) n.raft.tick();
    await settle();
  }
  throw new Error('no leader after 100 ticks');
}

const text = (e: Entry): string => new TextDecoder().decode(e.data);
const commands = (n: WalNode): string[] => n.applied.filter((e) => e.data.length > 0).map(text);

async function proposeAll(from: number, to: number): Promise<void> {
  const leader = await electLeader();
  for (let i = from; i <= to; i++) {
    expect(leader.raft.propose(new TextEncoder().encode(`cmd ${i}`)).kind).toBe('appended');
    if (i % 7 === 0) await settle();
  }
  await settle();
}

const range = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => `cmd ${from + i}`);

describe('Raft over the write-ahead log', () => {
  it('restarts a whole cluster from disk: same committed log, a new leader, more commits', async () => {
    await found();
    await proposeAll(1, 40);
    for (const n of nodes.values()) expect(commands(n)).toEqual(range(1, 40));
    const termBefore = (await electLeader()).raft.status().term;

    await restart();
    const leader = await electLeader();
    expect(leader.raft.status().term).toBeGreaterThan(termBefore);
    await proposeAll(41, 50);
    // Each node re-applied the committed log from index 1, then the new commands.
    for (const n of nodes.values()) expect(commands(n)).toEqual(range(1, 50));
  });

  it('restarts from a snapshot after compaction', async () => {
    await found();
    await proposeAll(1, 30);
    for (const n of nodes.values()) {
      const at = n.raft.status().applied;
      const snap = n.storage.createSnapshot(at, n.raft.status().conf, new TextEncoder().encode(JSON.stringify(commands(n))));
      await n.wal.saveSnapshot(snap);
      n.storage.compact(at);
      await n.wal.compact(at);
    }
    await proposeAll(31, 35);
    await restart();
    for (const n of nodes.values()) {
      const recoveredState = JSON.parse(new TextDecoder().decode(n.storage.snapshot().data)) as string[];
      expect(recoveredState).toEqual(range(1, 30));
    }
    await proposeAll(36, 40);
    // After the snapshot each node re-applies only the entries past it.
    for (const n of nodes.values()) expect(commands(n)).toEqual(range(31, 40));
  });
});
