/**
 * RaftHost's Ready loop on three nodes, each with its real write-ahead log in a temp dir; the
 * nodes talk through an in-process hand-off of their Raft frames (the part of the network the
 * host uses: sendRaft and onRaftMessage), so the order of disk writes, sends and applies can be
 * watched. What is checked: a follower's proposal leaves for the leader at once, and a Ready
 * that only raises the commit index applies its entries without waiting for that record.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeMessage, MemoryStorage, type Entry } from '../../src/raft/index.js';
import type { Network } from '../../src/net/index.js';
import { openWal, type Wal } from '../../src/wal/index.js';
import { RaftHost } from '../../node/raft-host.js';
import { waitFor } from './cluster-harness.js';

const names = ['a', 'b', 'c'];

/** The Raft side of a network: frames handed to the peer's handlers on the next turn, in order. */
class FrameBus {
  readonly handlers = new Map<string, (from: string, bytes: Uint8Array) => void>();
  readonly sent: Array<{ from: string; to: string; type: string }> = [];
  netOf(id: string): Network {
    const bus = this;
    const net: Pick<Network, 'sendRaft' | 'onRaftMessage' | 'onPeerDisconnected'> = {
      sendRaft(to, bytes) {
        bus.sent.push({ from: id, to, type: decodeMessage(bytes).type });
        setImmediate(() => bus.handlers.get(to)?.(id, bytes));
        return true;
      },
      onRaftMessage(cb) {
        bus.handlers.set(id, cb);
        return () => bus.handlers.delete(id);
      },
      onPeerDisconnected: () => () => undefined,
    };
    return net as Network;
  }
}

interface Node {
  id: string;
  host: RaftHost;
  wal: Wal;
  /** What happened, in order: a save begun or done (entries, commit), an entry applied. */
  events: string[];
  applied: number[];
}

let dirs: string[] = [];
let nodes: Node[] = [];

afterEach(async () => {
  for (const n of nodes) n.host.stop();
  await Promise.all(nodes.map((n) => n.host.applied().then(() => n.wal.close())));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  dirs = [];
  nodes = [];
});

async function start(): Promise<{ bus: FrameBus; leader: Node; followers: Node[] }> {
  const bus = new FrameBus();
  for (const id of names) {
    const dir = await mkdtemp(join(tmpdir(), `cairn-raft-host-${id}-`));
    dirs.push(dir);
    const { wal } = await openWal(dir);
    const events: string[] = [];
    const applied: number[] = [];
    // The real log, watched: each save's start and end, with what it holds.
    const save = wal.save.bind(wal);
    wal.save = (hard, entries, snap, opts) => {
      const what = `entries=${entries.length} commit=${hard?.commit ?? '-'}`;
      events.push(`save ${what}`);
      return save(hard, entries, snap, opts).then(() => void events.push(`saved ${what}`));
    };
    const storage = MemoryStorage.bootstrap({ voters: names, learners: [] });
    await wal.saveSnapshot(storage.snapshot());
    const host = new RaftHost({
      id,
      storage,
      wal,
      net: bus.netOf(id),
      applied: storage.snapshot().meta.index,
      random: { int: (n) => Math.floor(Math.random() * n) },
      apply: async (entries: Entry[]) => {
        for (const e of entries) {
          if (e.type !== 'normal' || e.data.length === 0) continue;
          events.push(`apply ${e.index}`);
          applied.push(e.index);
        }
      },
      onError: (err) => {
        throw err;
      },
    });
    nodes.push({ id, host, wal, events, applied });
  }
  for (const n of nodes) n.host.start();
  nodes[0]!.host.raft.campaign();
  nodes[0]!.host.kick();
  await waitFor('a leader', () => nodes.every((n) => n.host.raft.basicStatus().leader === 'a'), 10_000);
  return { bus, leader: nodes[0]!, followers: nodes.slice(1) };
}

const data = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('RaftHost', () => {
  it('sends a follower\'s proposal to the leader at once, not with its next Ready', async () => {
    const { bus, followers } = await start();
    const b = followers[0]!;
    const before = bus.sent.length;
    expect(b.host.propose(data('from b'))).toEqual({ kind: 'forwarded', to: 'a' });
    // Handed to the network inside propose(), before any Ready of b's ran.
    expect(bus.sent.slice(before)).toEqual([{ from: 'b', to: 'a', type: 'prop' }]);
    await waitFor('every node to apply it', () => nodes.every((n) => n.applied.length === 1), 10_000);
  }, 20_000);

  it('applies what a commit-only Ready commits while its record is written, never before the entries are on disk', async () => {
    const { leader } = await start();
    for (let i = 0; i < 5; i++) leader.host.propose(data(`x${i}`));
    await waitFor('every node to apply five entries', () => nodes.every((n) => n.applied.length === 5), 10_000);
    for (const f of nodes.filter((n) => n !== leader)) {
      for (const index of f.applied) {
        const at = f.events.indexOf(`apply ${index}`);
        // The save that brought the entry in was done before it was applied (entries reach a
        // follower before the commit index that covers them).
        const savedEntries = f.events.findIndex((ev, i) => i < at && /^saved entries=[1-9]/.test(ev));
        expect(savedEntries, `${f.id}: ${f.events.join(' | ')}`).toBeGreaterThanOrEqual(0);
      }
      // At least one commit advance reached the follower alone (no new entries): its entries
      // were applied between that record's save starting and ending.
      const lazy = f.events.flatMap((ev, i) => {
        const m = /^save entries=0 commit=(\d+)$/.exec(ev);
        if (m === null) return [];
        const done = f.events.indexOf(`saved entries=0 commit=${m[1]}`, i);
        return [f.events.slice(i + 1, done).filter((x) => x.startsWith('apply '))];
      });
      expect(lazy.some((applies) => applies.length > 0), `${f.id}: ${f.events.join(' | ')}`).toBe(true);
    }
  }, 20_000);
});
