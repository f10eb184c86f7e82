/**
 * RaftHost's Ready loop on three nodes, each with its real write-ahead log in a temp dir; the
 * nodes talk through an in-process hand-off of their Raft frames (the part of the network the
 * host uses: sendRaft and onRaftMessage), so the order of disk writes, sends and applies can be
 * watched. What is checked: a follower's proposal leaves for the leader at once, and committed
 * entries are applied while later entries (or a commit-only record) are being written, never
 * before their own save is done.
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
/** How long a save of entries takes at least (a slow disk). */
const slowSaveMs = 20;

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
    // The real log, watched: each save's start and end, with what it holds; a save of entries
    // takes at least slowSaveMs, as on a slow disk, so Readys overlap as they do under load.
    const save = wal.save.bind(wal);
    wal.save = (hard, entries, snap, opts) => {
      const what = `entries=${entries.length === 0 ? 0 : `${entries[0]!.index}-${entries.at(-1)!.index}`} commit=${hard?.commit ?? '-'}`;
      events.push(`save ${what}`);
      const slow = entries.length > 0 ? new Promise((r) => setTimeout(r, slowSaveMs)) : null;
      return Promise.all([save(hard, entries, snap, opts), slow]).then(() => void events.push(`saved ${what}`));
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

  it('applies committed entries while later ones are written, never an entry before its own save is done', async () => {
    const { leader } = await start();
    const total = 40;
    // A steady stream of proposals, as under load: Readys with new entries also commit older ones.
    for (let i = 0; i < total; i++) {
      leader.host.propose(data(`x${i}`));
      await new Promise((r) => setTimeout(r, 5));
    }
    await waitFor(`every node to apply ${total} entries`, () => nodes.every((n) => n.applied.length === total), 10_000);
    /** Applies that happened between a save's start and its end, by kind of save. */
    const during = (n: Node, kind: RegExp): number => {
      let count = 0;
      n.events.forEach((ev, i) => {
        const what = /^save (.*)$/.exec(ev)?.[1];
        if (what === undefined || !kind.test(what)) return;
        const done = n.events.indexOf(`saved ${what}`, i);
        count += n.events.slice(i + 1, done).filter((x) => x.startsWith('apply ')).length;
      });
      return count;
    };
    for (const n of nodes) {
      const log = `${n.id}: ${n.events.join(' | ')}`;
      for (const index of n.applied) {
        // Safety: the save holding the entry was done before it was applied.
        const at = n.events.indexOf(`apply ${index}`);
        const saved = n.events.findIndex((ev, i) => {
          const m = /^saved entries=(\d+)-(\d+) /.exec(ev);
          return i < at && m !== null && Number(m[1]) <= index && index <= Number(m[2]);
        });
        expect(saved, log).toBeGreaterThanOrEqual(0);
      }
    }
    // Entries were applied while a save of later entries was on its way (on the leader, whose
    // Readys under a stream of proposals nearly all hold new entries), and on a follower while
    // a commit-only record was written.
    expect(during(leader, /^entries=\d+-\d+ /), leader.events.join(' | ')).toBeGreaterThan(0);
    expect(nodes.filter((n) => n !== leader).some((f) => during(f, /^entries=0 /) > 0)).toBe(true);
  }, 20_000);
});
