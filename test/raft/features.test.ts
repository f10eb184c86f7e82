/**
 * Beyond the paper's core rules: pre-vote and check-quorum, learners and membership changes,
 * leadership transfer, ReadIndex, the leader-lost fast path, flow control, fast backtracking,
 * snapshots, and restart from storage.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStorage, type Message } from '../../src/raft/index.js';
import { appliedTexts, drain, Network, newNode } from './harness.js';

const data = (s: string): Uint8Array => new TextEncoder().encode(s);
const et = 10;

function elected(): Network {
  const net = new Network(3);
  net.campaign('n1');
  expect(net.leaders()).toEqual(['n1']);
  return net;
}

describe('pre-vote and check-quorum', () => {
  it('a partitioned node does not inflate its term, and on return does not depose the leader', () => {
    const net = elected();
    const term = net.get('n1').node.status().term;
    net.isolate('n3');
    net.tick(10 * et, ['n3']);
    expect(net.get('n3').node.status().term).toBe(term);
    net.heal();
    net.tick(3 * et);
    expect(net.leaders()).toEqual(['n1']);
    expect(net.get('n1').node.status().term).toBe(term);
  });

  it('followers in contact with a leader ignore a campaign (the lease)', () => {
    const net = elected();
    net.tick(2);
    const term = net.get('n1').node.status().term;
    // n3 campaigns at once (e.g. a spurious disconnect report): the others still hear from n1.
    net.get('n3').node.campaign();
    net.stabilize();
    expect(net.leaders()).toEqual(['n1']);
    expect(net.get('n1').node.status().term).toBe(term);
  });

  it('a leader cut off from the majority steps down within two election timeouts', () => {
    const net = elected();
    net.isolate('n1');
    // The first check may still count acks from before the cut; the second cannot.
    net.tick(2 * et, ['n1']);
    expect(net.get('n1').node.status().role).toBe('follower');
  });

  it('the majority side elects a new leader and the old one follows it after healing', () => {
    const net = elected();
    net.isolate('n1');
    net.tick(3 * et);
    const [leader] = net.leaders().filter((l) => l !== 'n1');
    expect(leader).toBeDefined();
    net.heal();
    net.tick(3);
    expect(net.leaders()).toEqual([leader]);
    expect(net.get('n1').node.status().leader).toBe(leader);
  });
});

describe('the leader-lost fast path (peerDisconnected)', () => {
  it('followers whose leader connection drops elect a new leader within a few ticks', () => {
    const net = elected();
    net.tick(3);
    net.isolate('n1');
    net.get('n2').node.peerDisconnected('n1');
    net.get('n3').node.peerDisconnected('n1');
    let ticks = 0;
    while (net.leaders().filter((l) => l !== 'n1').length === 0 && ticks < 100) {
      net.tick(1, ['n2', 'n3']);
      ticks++;
    }
    expect(ticks).toBeLessThanOrEqual(3 + 1);
  });

  it('a spurious report about a healthy leader changes nothing (pre-vote needs a majority)', () => {
    const net = elected();
    net.tick(3);
    const term = net.get('n1').node.status().term;
    net.get('n2').node.peerDisconnected('n1');
    net.tick(5);
    expect(net.leaders()).toEqual(['n1']);
    expect(net.get('n1').node.status().term).toBe(term);
    expect(net.get('n2').node.status().leader).toBe('n1');
  });

  it('a leader told a follower dropped stops streaming to it optimistically', () => {
    const net = elected();
    net.propose('n1', 'x');
    expect(net.get('n1').node.status().progress.get('n2')?.state).toBe('replicate');
    net.get('n1').node.peerDisconnected('n2');
    expect(net.get('n1').node.status().progress.get('n2')?.state).toBe('probe');
  });
});

describe('learners and single-server membership changes', () => {
  function withLearner(): Network {
    const net = elected();
    expect(net.get('n1').node.proposeConfChange({ type: 'add-learner', node: 'n4' }).kind).toBe('appended');
    net.add(newNode('n4', new MemoryStorage()));
    net.stabilize();
    net.tick(2);
    return net;
  }

  it('a learner receives the log', () => {
    const net = withLearner();
    net.propose('n1', 'a');
    net.propose('n1', 'b');
    expect(appliedTexts(net.get('n4'))).toEqual(['a', 'b']);
    expect(net.get('n1').node.status().conf).toEqual({ voters: ['n1', 'n2', 'n3'], learners: ['n4'] });
  });

  it('a learner never campaigns and never counts toward a quorum', () => {
    const net = withLearner();
    net.isolate('n4');
    net.tick(10 * et, ['n4']);
    expect(net.get('n4').node.status().role).toBe('follower');
    net.heal();
    net.cutLink('n1', 'n2');
    net.cutLink('n1', 'n3');
    const before = net.get('n1').node.status().commit;
    net.get('n1').node.propose(data('needs a voter'));
    net.stabilize();
    expect(net.get('n1').node.status().commit).toBe(before);
  });

  it('a promoted learner votes and counts', () => {
    const net = withLearner();
    expect(net.get('n1').node.proposeConfChange({ type: 'promote-learner', node: 'n4' }).kind).toBe('appended');
    net.stabilize();
    net.tick(2);
    expect(net.get('n4').node.status().conf.voters).toEqual(['n1', 'n2', 'n3', 'n4']);
    // With 4 voters a quorum is 3: the leader and n4 alone cannot commit.
    net.cutLink('n1', 'n2');
    net.cutLink('n1', 'n3');
    const before = net.get('n1').node.status().commit;
    net.propose('n1', 'x');
    expect(net.get('n1').node.status().commit).toBe(before);
    net.heal();
    net.tick(2);
    expect(net.get('n1').node.status().commit).toBeGreaterThan(before);
  });

  it('a learner is promoted only once it has caught up', () => {
    const net = withLearner();
    net.isolate('n4');
    for (let i = 0; i < 70; i++) net.propose('n1', `e${i}`);
    expect(net.get('n1').node.proposeConfChange({ type: 'promote-learner', node: 'n4' })).toEqual({ kind: 'dropped', reason: 'learner-behind' });
    net.heal();
    net.tick(2);
    expect(net.get('n1').node.proposeConfChange({ type: 'promote-learner', node: 'n4' }).kind).toBe('appended');
  });

  it('one conf change at a time, and invalid ones are refused', () => {
    const net = elected();
    const n1 = net.get('n1').node;
    expect(n1.proposeConfChange({ type: 'promote-learner', node: 'n9' })).toEqual({ kind: 'dropped', reason: 'invalid-conf-change' });
    expect(n1.proposeConfChange({ type: 'add-learner', node: 'n4' }).kind).toBe('appended');
    expect(n1.proposeConfChange({ type: 'add-learner', node: 'n5' })).toEqual({ kind: 'dropped', reason: 'conf-change-pending' });
    net.stabilize();
    expect(n1.proposeConfChange({ type: 'add-learner', node: 'n5' }).kind).toBe('appended');
  });

  it('a removed leader steps down and hands over; it never campaigns again', () => {
    const net = elected();
    net.tick(2);
    expect(net.get('n1').node.proposeConfChange({ type: 'remove', node: 'n1' }).kind).toBe('appended');
    net.stabilize();
    net.tick(2);
    const leaders = net.leaders();
    expect(leaders.length).toBe(1);
    expect(leaders[0]).not.toBe('n1');
    net.isolate('n1');
    net.tick(10 * et, ['n1']);
    expect(net.get('n1').node.status().role).toBe('follower');
  });
});

describe('leadership transfer', () => {
  it('hands over to an up-to-date follower with TimeoutNow', () => {
    const net = elected();
    net.propose('n1', 'x');
    const term = net.get('n1').node.status().term;
    expect(net.get('n1').node.transferLeadership('n2')).toEqual({ kind: 'accepted' });
    net.stabilize();
    expect(net.leaders()).toEqual(['n2']);
    expect(net.get('n2').node.status().term).toBe(term + 1);
    expect(net.counts.get('timeout-now')).toBe(1);
  });

  it('catches a lagging transferee up first, dropping proposals meanwhile', () => {
    const net = elected();
    net.isolate('n3');
    for (const s of ['a', 'b', 'c']) net.propose('n1', s);
    net.heal();
    net.filter = (m: Message) => !(m.from === 'n3' && m.type === 'app-resp');
    net.get('n1').node.transferLeadership('n3');
    net.stabilize();
    expect(net.get('n1').node.propose(data('d'))).toEqual({ kind: 'dropped', reason: 'transferring' });
    net.filter = null;
    net.tick(1);
    expect(net.leaders()).toEqual(['n3']);
    expect(appliedTexts(net.get('n3'))).toEqual(['a', 'b', 'c']);
  });

  it('a follower forwards the request to its leader', () => {
    const net = elected();
    expect(net.get('n3').node.transferLeadership('n3')).toEqual({ kind: 'forwarded', to: 'n1' });
    net.stabilize();
    expect(net.leaders()).toEqual(['n3']);
  });
});

describe('ReadIndex', () => {
  it('a leader answers once a heartbeat round confirms it still leads', () => {
    const net = elected();
    net.propose('n1', 'x');
    const commit = net.get('n1').node.status().commit;
    expect(net.get('n1').node.readIndex(data('r1'))).toEqual({ kind: 'accepted' });
    net.stabilize();
    expect(net.get('n1').reads).toEqual([{ index: commit, context: data('r1') }]);
  });

  it('a follower forwards the read and gets the leader commit index', () => {
    const net = elected();
    net.propose('n1', 'x');
    expect(net.get('n2').node.readIndex(data('r2'))).toEqual({ kind: 'forwarded', to: 'n1' });
    net.stabilize();
    expect(net.get('n2').reads.map((r) => r.index)).toEqual([net.get('n1').node.status().commit]);
  });

  it('a leader cut off from the majority never answers (no stale reads)', () => {
    const net = elected();
    net.isolate('n1');
    net.get('n1').node.readIndex(data('stale'));
    net.tick(et - 1, ['n1']);
    expect(net.get('n1').reads).toEqual([]);
  });

  it('a new leader defers reads until an entry of its term commits', () => {
    const net = elected();
    net.cutLink('n1', 'n2');
    net.cutLink('n1', 'n3');
    // n2 or n3 wins an election but cannot commit its no-op yet: append acks are filtered.
    net.filter = (m) => m.type !== 'app-resp';
    net.tick(3 * et, ['n2', 'n3']);
    const l = net.leaders().find((x) => x !== 'n1');
    expect(l).toBeDefined();
    const leader = net.get(l!);
    leader.node.readIndex(data('early'));
    net.stabilize();
    expect(leader.reads).toEqual([]);
    net.filter = null;
    net.tick(1, [l!]);
    expect(leader.reads.length).toBe(1);
    expect(leader.reads[0]!.index).toBe(leader.node.status().commit);
  });
});

describe('replication mechanics', () => {
  it('flow control: at most inflightAppendsMax appends in flight to a silent follower', () => {
    const net = new Network(3, { inflightAppendsMax: 2 });
    net.campaign('n1');
    net.propose('n1', 'warm-up');
    net.filter = (m) => !(m.from === 'n2' && m.type === 'app-resp');
    const before = net.counts.get('app') ?? 0;
    for (let i = 0; i < 10; i++) net.propose('n1', `e${i}`);
    let toN2 = 0;
    net.filter = (m) => {
      if (m.type === 'app' && m.to === 'n2') toN2++;
      return !(m.from === 'n2' && m.type === 'app-resp');
    };
    for (let i = 0; i < 5; i++) net.propose('n1', `f${i}`);
    expect(toN2).toBe(0);
    expect((net.counts.get('app') ?? 0) - before).toBeGreaterThan(0);
  });

  it('appendBytesMax splits a large backlog into several messages', () => {
    const net = new Network(3, { appendBytesMax: 100 });
    net.campaign('n1');
    net.isolate('n3');
    for (let i = 0; i < 20; i++) net.propose('n1', 'y'.repeat(40));
    net.heal();
    const sizes: number[] = [];
    net.filter = (m) => {
      if (m.type === 'app' && m.to === 'n3') sizes.push(m.entries.reduce((s, e) => s + e.data.length, 0));
      return true;
    };
    net.tick(2);
    expect(sizes.filter((s) => s > 0).length).toBeGreaterThanOrEqual(8);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(100);
    expect(appliedTexts(net.get('n3')).length).toBe(20);
  });

  it('fast backtracking skips a conflicting term per round trip', () => {
    const net = elected();
    net.isolate('n1');
    // n1 appends 50 entries nobody gets; n2 and n3 move on without it.
    for (let i = 0; i < 50; i++) net.get('n1').node.propose(data(`lost${i}`));
    net.stabilize();
    net.tick(3 * et, ['n2', 'n3']);
    const leader = net.leaders().find((x) => x !== 'n1')!;
    for (let i = 0; i < 5; i++) net.propose(leader, `kept${i}`);
    net.heal();
    let rejects = 0;
    net.filter = (m) => {
      if (m.type === 'app-resp' && m.from === 'n1' && m.reject) rejects++;
      return true;
    };
    net.tick(3);
    expect(rejects).toBeLessThanOrEqual(2);
    expect(appliedTexts(net.get('n1')).filter((t) => t.startsWith('lost'))).toEqual([]);
    expect(appliedTexts(net.get('n1')).filter((t) => t.startsWith('kept')).length).toBe(5);
  });

  it('a follower behind the compacted log gets the snapshot', () => {
    const net = elected();
    net.isolate('n3');
    for (let i = 0; i < 10; i++) net.propose('n1', `s${i}`);
    const n1 = net.get('n1');
    const st = n1.node.status();
    n1.storage.createSnapshot(st.applied, st.conf, data('state-machine'));
    n1.storage.compact(st.applied);
    net.heal();
    let snaps = 0;
    net.filter = (m) => {
      if (m.type === 'snap') snaps++;
      return true;
    };
    net.tick(2);
    expect(snaps).toBe(1);
    n1.node.reportSnapshot('n3', true);
    net.propose('n1', 'after');
    expect(net.get('n3').storage.snapshot().data).toEqual(data('state-machine'));
    expect(appliedTexts(net.get('n3'))).toEqual(['after']);
  });

  it('a leader drops proposals beyond its uncommitted byte budget', () => {
    const net = new Network(3, { uncommittedBytesMax: 100 });
    net.campaign('n1');
    net.isolate('n1');
    const n1 = net.get('n1').node;
    expect(n1.propose(new Uint8Array(60)).kind).toBe('appended');
    expect(n1.propose(new Uint8Array(60))).toEqual({ kind: 'dropped', reason: 'uncommitted-limit' });
  });

  it('a restarted node recovers term, vote, commit and its log from storage', () => {
    const net = elected();
    net.propose('n1', 'x');
    const t = net.get('n2');
    drain(t);
    const before = t.node.status();
    const again = newNode('n2', t.storage);
    expect(again.node.status()).toMatchObject({ term: before.term, vote: before.vote, commit: before.commit, lastIndex: before.lastIndex });
  });
});

describe('forwarded proposals taken early', () => {
  it('a follower hands its forwarded proposals over in order, ahead of its Ready; the leader commits them as if the Ready had sent them', () => {
    const net = elected();
    const n2 = net.get('n2');
    // n2 has something of its own to persist and answer (an append), as when its Ready is on disk.
    net.get('n1').node.propose(data('x'));
    for (const m of drain(net.get('n1'))) if (m.to === 'n2') n2.node.step(m);
    expect(n2.node.propose(data('p1'))).toEqual({ kind: 'forwarded', to: 'n1' });
    expect(n2.node.propose(data('p2'))).toEqual({ kind: 'forwarded', to: 'n1' });
    const props = n2.node.takeForwardedProposals();
    expect(props.map((m) => [m.type, m.to, m.type === 'prop' ? new TextDecoder().decode(m.entries[0]!.data) : ''])).toEqual([['prop', 'n1', 'p1'], ['prop', 'n1', 'p2']]);
    expect(n2.node.takeForwardedProposals()).toEqual([]);
    // What stays for the Ready: the append response, which waits for the disk; no proposal twice.
    const rest = drain(n2);
    expect(rest.map((m) => m.type)).toEqual(['app-resp']);
    net.send([...props, ...rest]);
    for (const t of net.nodes.values()) expect(appliedTexts(t)).toEqual(['x', 'p1', 'p2']);
  });

  it('a leader has none: its proposals are appended, not forwarded', () => {
    const net = elected();
    net.get('n1').node.propose(data('a'));
    expect(net.get('n1').node.takeForwardedProposals()).toEqual([]);
    net.stabilize();
    expect(appliedTexts(net.get('n3'))).toEqual(['a']);
  });
});
