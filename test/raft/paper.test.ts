/**
 * The Raft paper's rules, one test each, after etcd's raft_paper_test.go (section numbers refer
 * to "In Search of an Understandable Consensus Algorithm", extended version).
 */
import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/raft/index.js';
import { drain, Network, newNode } from './harness.js';
import { appResp, ent, makeCandidate, makeLeader, ofType, paperNode, paperOpts, peers, storageWith, terms } from './paper-helpers.js';

const data = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('§5.1 terms', () => {
  it('a follower adopts a higher term from any message', () => {
    const t = paperNode(3, [], { term: 1 });
    t.node.step({ type: 'app', from: 'n2', to: 'n1', term: 2, index: 0, logTerm: 0, commit: 0, entries: [] });
    expect(t.node.status()).toMatchObject({ term: 2, role: 'follower', leader: 'n2' });
  });

  it('a candidate reverts to follower on a higher term', () => {
    const t = paperNode(3);
    makeCandidate(t);
    t.node.step({ type: 'heartbeat', from: 'n2', to: 'n1', term: 5, commit: 0, context: null });
    expect(t.node.status()).toMatchObject({ term: 5, role: 'follower', leader: 'n2' });
  });

  it('a leader reverts to follower on a higher term', () => {
    const t = paperNode(3);
    makeLeader(t);
    expect(t.node.status().role).toBe('leader');
    t.node.step({ type: 'vote', from: 'n2', to: 'n1', term: 7, index: 9, logTerm: 9, transfer: false });
    expect(t.node.status()).toMatchObject({ term: 7, role: 'follower' });
  });

  it('a request with a stale term is ignored', () => {
    const t = paperNode(3, [], { term: 2 });
    t.node.step({ type: 'app', from: 'n2', to: 'n1', term: 1, index: 0, logTerm: 0, commit: 0, entries: [ent(1, 1)] });
    drain(t);
    expect(t.node.status()).toMatchObject({ term: 2, lastIndex: 0, leader: null });
  });

  it('servers start as followers', () => {
    expect(paperNode(3).node.status().role).toBe('follower');
  });
});

describe('§5.2 leader election', () => {
  it('a leader sends heartbeats every heartbeat interval', () => {
    const t = paperNode(3);
    makeLeader(t);
    t.node.tick();
    const hb = ofType(drain(t), 'heartbeat');
    expect(hb.map((m) => m.to).sort()).toEqual(['n2', 'n3']);
    expect(hb.every((m) => m.term === 1)).toBe(true);
  });

  it.each(['follower', 'candidate'] as const)('a %s that times out starts a new election', (role) => {
    const t = paperNode(3, [], { term: 1 });
    if (role === 'candidate') makeCandidate(t);
    const before = t.node.status().term;
    for (let i = 0; i < 2 * 10; i++) t.node.tick();
    const msgs = drain(t);
    expect(t.node.status()).toMatchObject({ term: before + 1, role: 'candidate', vote: 'n1' });
    const votes = ofType(msgs, 'vote');
    expect(votes.map((m) => m.to).sort()).toEqual(['n2', 'n3']);
    expect(votes.every((m) => m.term === before + 1)).toBe(true);
  });

  it.each([
    [1, {}, 'leader'],
    [3, { n2: true, n3: true }, 'leader'],
    [3, { n2: true }, 'leader'],
    [5, { n2: true, n3: true, n4: true, n5: true }, 'leader'],
    [5, { n2: true, n3: true, n4: true }, 'leader'],
    [5, { n2: true, n3: true }, 'leader'],
    [3, { n2: false, n3: false }, 'follower'],
    [5, { n2: false, n3: false, n4: false, n5: false }, 'follower'],
    [5, { n2: true, n3: false, n4: false, n5: false }, 'follower'],
    [3, {}, 'candidate'],
    [5, { n2: true }, 'candidate'],
    [5, { n2: false, n3: false }, 'candidate'],
    [5, {}, 'candidate'],
  ] as const)('%i voters, votes %j: %s after one round', (n, votes, want) => {
    const t = paperNode(n);
    makeCandidate(t);
    for (const [from, granted] of Object.entries(votes)) t.node.step({ type: 'vote-resp', from, to: 'n1', term: 1, reject: !granted });
    drain(t);
    expect(t.node.status().role).toBe(want);
  });

  it.each([
    [null, 'n2', false],
    [null, 'n3', false],
    ['n2', 'n2', false],
    ['n3', 'n3', false],
    ['n2', 'n3', true],
    ['n3', 'n2', true],
  ] as const)('a follower that voted for %s answers %s with reject=%s (one vote per term)', (vote, candidate, reject) => {
    const t = paperNode(3, [], { term: 1, vote });
    t.node.step({ type: 'vote', from: candidate, to: 'n1', term: 1, index: 0, logTerm: 0, transfer: false });
    const resp = ofType(drain(t), 'vote-resp');
    expect(resp).toEqual([{ type: 'vote-resp', from: 'n1', to: candidate, term: 1, reject }]);
  });

  it('a granted vote is in the same Ready as its response (persisted before it is sent)', () => {
    const t = paperNode(3, [], { term: 2 });
    t.node.step({ type: 'vote', from: 'n2', to: 'n1', term: 2, index: 0, logTerm: 0, transfer: false });
    const rd = t.node.ready();
    expect(rd.hardState).toEqual({ term: 2, vote: 'n2', commit: 0 });
    expect(rd.mustSync).toBe(true);
    expect(rd.messages).toEqual([{ type: 'vote-resp', from: 'n1', to: 'n2', term: 2, reject: false }]);
    t.node.advance();
  });

  it('a restarted voter remembers its vote and refuses another candidate of that term', () => {
    const t = paperNode(5, [], { term: 2 });
    t.node.step({ type: 'vote', from: 'n2', to: 'n1', term: 2, index: 0, logTerm: 0, transfer: false });
    drain(t);
    const again = newNode('n1', t.storage, paperOpts);
    again.node.step({ type: 'vote', from: 'n3', to: 'n1', term: 2, index: 0, logTerm: 0, transfer: false });
    expect(ofType(drain(again), 'vote-resp')).toEqual([{ type: 'vote-resp', from: 'n1', to: 'n3', term: 2, reject: true }]);
  });

  it.each([1, 2])('a candidate hearing from a leader of term ≥ its own (%i) becomes follower', (term) => {
    const t = paperNode(3);
    makeCandidate(t);
    t.node.step({ type: 'app', from: 'n2', to: 'n1', term, index: 0, logTerm: 0, commit: 0, entries: [] });
    expect(t.node.status()).toMatchObject({ role: 'follower', term, leader: 'n2' });
  });

  it.each(['follower', 'candidate'] as const)('a %s election timeout is random in [et, 2et) and covers it', (role) => {
    const seen = new Set<number>();
    for (let seed = 0; seed < 400; seed++) {
      const t = paperNode(3, [], { term: 1 }, {}, seed);
      if (role === 'candidate') makeCandidate(t);
      const term = t.node.status().term;
      let ticks = 0;
      while (t.node.status().term === term) {
        t.node.tick();
        ticks++;
      }
      seen.add(ticks);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => 10 + i));
  });

  it('in most cases only one of five followers times out first', () => {
    let conflicts = 0;
    const rounds = 500;
    for (let r = 0; r < rounds; r++) {
      const nodes = peers(5).map((id, i) => newNode(id, storageWith(peers(5)), paperOpts, r * 7 + i));
      let firing: number[] = [];
      while (firing.length === 0) {
        firing = [];
        nodes.forEach((t, i) => {
          t.node.tick();
          if (t.node.status().role === 'candidate') firing.push(i);
        });
      }
      if (firing.length > 1) conflicts++;
    }
    expect(conflicts / rounds).toBeLessThanOrEqual(0.3);
  });
});

describe('§5.3 log replication', () => {
  it('a leader appends a proposal and sends it to every follower in parallel', () => {
    const t = paperNode(3);
    makeLeader(t);
    // Commit the leader's no-op first, so both followers are in the replicate state.
    t.node.step(appResp('n2', 1, 1));
    t.node.step(appResp('n3', 1, 1));
    drain(t);
    t.node.propose(data('some data'));
    const apps = ofType(drain(t), 'app');
    expect(apps.map((m) => m.to).sort()).toEqual(['n2', 'n3']);
    for (const m of apps) expect(m).toMatchObject({ index: 1, logTerm: 1, commit: 1, entries: [ent(1, 2, 'some data')] });
    expect(t.storage.lastIndex()).toBe(2);
  });

  it('an entry replicated on a majority is committed, applied and its commit sent on', () => {
    const t = paperNode(3);
    makeLeader(t);
    t.node.propose(data('x'));
    drain(t);
    t.node.step(appResp('n2', 1, 2));
    const msgs = drain(t);
    expect(t.node.status().commit).toBe(2);
    expect(t.applied.map((e) => e.index)).toEqual([1, 2]);
    // The next append to n3 carries the commit index.
    t.node.step({ type: 'app-resp', from: 'n3', to: 'n1', term: 1, index: 1, reject: false, rejectHint: 0, logTerm: 0 });
    const toN3 = [...msgs, ...drain(t)].filter((m): m is Extract<Message, { type: 'app' }> => m.type === 'app' && m.to === 'n3');
    expect(toN3.some((m) => m.commit === 2)).toBe(true);
  });

  it.each([
    [1, [], true],
    [3, [], false],
    [3, ['n2'], true],
    [3, ['n2', 'n3'], true],
    [5, [], false],
    [5, ['n2'], false],
    [5, ['n2', 'n3'], true],
    [5, ['n2', 'n3', 'n4'], true],
    [5, ['n2', 'n3', 'n4', 'n5'], true],
  ] as const)('%i voters, acks from %j: committed=%s', (n, acks, committed) => {
    const t = paperNode(n);
    makeLeader(t);
    t.node.propose(data('x'));
    drain(t);
    for (const from of acks) t.node.step(appResp(from, 1, 2));
    drain(t);
    expect(t.node.status().commit >= 2).toBe(committed);
  });

  it.each([[[]], [[2]], [[1, 2]], [[1]]] as const)('a leader commits the preceding entries of older terms too (log %j)', (log) => {
    const t = paperNode(3, [...log], { term: 2 });
    makeLeader(t);
    t.node.propose(data('new'));
    drain(t);
    const last = t.node.status().lastIndex;
    t.node.step(appResp('n2', 3, last));
    drain(t);
    expect(t.applied.map((e) => e.index)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
  });

  it('a follower applies entries once it learns they are committed', () => {
    const t = paperNode(3, [], { term: 1 });
    t.node.step({ type: 'app', from: 'n2', to: 'n1', term: 1, index: 0, logTerm: 0, commit: 1, entries: [ent(1, 1, 'a'), ent(1, 2, 'b')] });
    drain(t);
    expect(t.applied.map((e) => e.index)).toEqual([1]);
    t.node.step({ type: 'heartbeat', from: 'n2', to: 'n1', term: 1, commit: 2, context: null });
    drain(t);
    expect(t.applied.map((e) => e.index)).toEqual([1, 2]);
  });

  it.each([
    [0, 0, false, 1, 0, 0],
    [1, 1, false, 1, 0, 0],
    [2, 2, false, 2, 0, 0],
    [1, 2, true, 2, 1, 1],
    [3, 3, true, 3, 2, 2],
  ] as const)('a follower checks the previous entry: (term %i, index %i) reject=%s', (logTerm, index, reject, wIndex, hint, hintTerm) => {
    const t = paperNode(3, [1, 2], { term: 2, commit: 1 });
    t.node.step({ type: 'app', from: 'n2', to: 'n1', term: 2, index, logTerm, commit: 1, entries: [] });
    const [resp] = ofType(drain(t), 'app-resp');
    expect(resp).toMatchObject({ index: wIndex, reject, rejectHint: hint, logTerm: hintTerm });
  });

  it.each([
    [2, 2, [ent(3, 3)], [1, 2, 3]],
    [1, 1, [ent(3, 2), ent(4, 3)], [1, 3, 4]],
    [0, 0, [ent(1, 1)], [1, 2]],
    [0, 0, [ent(3, 1)], [3]],
  ] as const)('a follower deletes conflicting entries and appends new ones (after %i/%i)', (index, logTerm, entries, want) => {
    const t = paperNode(3, [1, 2], { term: 2 });
    t.node.step({ type: 'app', from: 'n2', to: 'n1', term: 3, index, logTerm, commit: 0, entries: [...entries] });
    drain(t);
    expect(terms(t)).toEqual(want);
  });
});

describe('Figure 7: a new leader brings divergent follower logs into line', () => {
  const leaderLog = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
  it.each([
    ['a', [1, 1, 1, 4, 4, 5, 5, 6, 6]],
    ['b', [1, 1, 1, 4]],
    ['c', [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6]],
    ['d', [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7]],
    ['e', [1, 1, 1, 4, 4, 4, 4]],
    ['f', [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3]],
  ] as const)('follower (%s)', (_name, followerLog) => {
    const net = new Network(['n1', 'n2', 'n3'], paperOpts);
    net.nodes.set('n1', newNode('n1', storageWith(peers(3), leaderLog, { term: 8 }), paperOpts));
    net.nodes.set('n2', newNode('n2', storageWith(peers(3), [...followerLog], { term: 7 }), paperOpts));
    net.nodes.delete('n3');
    const n1 = net.get('n1');
    n1.node.campaign();
    // n2 may refuse (its log can be more up to date); n3 grants.
    net.send([{ type: 'vote-resp', from: 'n3', to: 'n1', term: 9, reject: false }]);
    expect(n1.node.status().role).toBe('leader');
    net.propose('n1', 'x');
    expect(terms(net.get('n2'))).toEqual(terms(n1));
  });
});

describe('§5.4 safety', () => {
  it('a vote request carries the last log index and term', () => {
    const t = paperNode(3, [], { term: 1 });
    t.node.step({ type: 'app', from: 'n2', to: 'n1', term: 1, index: 0, logTerm: 0, commit: 0, entries: [ent(1, 1), ent(2, 2)] });
    drain(t);
    for (let i = 0; i < 20; i++) t.node.tick();
    const votes = ofType(drain(t), 'vote');
    expect(votes.length).toBe(2);
    for (const v of votes) expect(v).toMatchObject({ index: 2, logTerm: 2 });
  });

  it.each([
    [[1], 1, 1, false],
    [[1], 1, 2, false],
    [[1, 1], 1, 1, true],
    [[1], 2, 1, false],
    [[1], 2, 2, false],
    [[1, 1], 2, 1, false],
    [[2], 1, 1, true],
    [[2], 1, 2, true],
    [[2, 1], 1, 1, true],
  ] as const)('a voter with log %j denies a candidate at (term %i, index %i) whose log is less up to date: %s', (log, logTerm, index, reject) => {
    const t = paperNode(3, [...log]);
    t.node.step({ type: 'vote', from: 'n2', to: 'n1', term: 3, index, logTerm, transfer: false });
    const [resp] = ofType(drain(t), 'vote-resp');
    expect(resp?.reject).toBe(reject);
  });

  it.each([
    [1, 0],
    [2, 0],
    [3, 3],
  ] as const)('a leader commits only entries of its own term by counting (ack %i → commit %i)', (index, commit) => {
    const t = paperNode(3, [1, 2], { term: 2 });
    makeLeader(t);
    t.node.step(appResp('n2', t.node.status().term, index));
    drain(t);
    expect(t.node.status().commit).toBe(commit);
  });
});
