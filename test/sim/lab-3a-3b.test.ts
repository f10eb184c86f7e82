/**
 * The MIT 6.5840 Raft lab's scenarios 3A (leader election) and 3B (log agreement), ported to
 * the simulator (test names follow the lab's). Deterministic: each runs one fixed seed.
 */
import { describe, expect, it } from 'vitest';
import { Lab } from './lab.js';

describe('6.5840 3A: leader election', () => {
  it('TestInitialElection: one leader, and terms stay put without failures', () => {
    const lab = new Lab(3);
    lab.checkOneLeader();
    lab.run(50);
    const term1 = lab.checkTerms();
    expect(term1).toBeGreaterThanOrEqual(1);
    lab.run(2 * 300);
    expect(lab.checkTerms()).toBe(term1);
    lab.checkOneLeader();
  });

  it('TestReElection: a new leader after the old one is cut off, none without a quorum', () => {
    const lab = new Lab(3);
    const leader1 = lab.checkOneLeader();
    lab.disconnect(leader1);
    lab.checkOneLeader();
    // The old leader rejoining must not disturb the new one.
    lab.connect(leader1);
    const leader2 = lab.checkOneLeader();
    const i2 = lab.ids.indexOf(leader2);
    lab.disconnect(i2);
    lab.disconnect(i2 + 1);
    lab.run(2000);
    lab.checkNoLeader();
    lab.connect(i2 + 1);
    lab.checkOneLeader();
    lab.connect(i2);
    lab.checkOneLeader();
  });

  it('TestManyElections: 7 servers, 3 random ones cut off, ten times', () => {
    const lab = new Lab(7);
    lab.checkOneLeader();
    for (let iter = 0; iter < 10; iter++) {
      const out = [0, 1, 2].map(() => lab.c.rng.int(7));
      for (const i of out) lab.disconnect(i);
      lab.checkOneLeader();
      for (const i of out) lab.connect(i);
    }
    lab.checkOneLeader();
  });
});

describe('6.5840 3B: agreement', () => {
  it('TestBasicAgree: commands commit in order on every server', () => {
    const lab = new Lab(3);
    let last = 0;
    for (let i = 1; i <= 3; i++) {
      const index = lab.one(i * 100, 3, false);
      expect(index).toBeGreaterThan(last);
      last = index;
    }
  });

  it('TestRPCBytes: each command is sent to each peer once', () => {
    const lab = new Lab(3);
    lab.one(99, 3, false);
    const bytes0 = lab.bytes();
    let sent = 0;
    for (let i = 0; i < 10; i++) {
      const cmd = 'x'.repeat(5000) + String(i);
      lab.one(cmd, 3, false);
      sent += cmd.length;
    }
    expect(lab.bytes() - bytes0).toBeLessThanOrEqual(3 * sent + 50_000);
  });

  it('TestFollowerFailure: progress with one follower gone, none with both', () => {
    const lab = new Lab(3);
    lab.one(101, 3, false);
    const leader1 = lab.checkOneLeader();
    lab.disconnect(lab.ids.indexOf(leader1) + 1);
    lab.one(102, 2, false);
    lab.run(300);
    lab.one(103, 2, false);
    const leader2 = lab.checkOneLeader();
    const l2 = lab.ids.indexOf(leader2);
    lab.disconnect(l2 + 1);
    lab.disconnect(l2 + 2);
    const { index, isLeader } = lab.start(leader2, 104);
    expect(isLeader).toBe(true);
    lab.run(2000);
    expect(lab.nCommitted(index).count).toBe(0);
  });

  it('TestLeaderFailure: a new leader carries on; with one server left nothing commits', () => {
    const lab = new Lab(3);
    lab.one(101, 3, false);
    const leader1 = lab.checkOneLeader();
    lab.disconnect(leader1);
    lab.one(102, 2, false);
    lab.run(300);
    lab.one(103, 2, false);
    const leader2 = lab.checkOneLeader();
    lab.disconnect(leader2);
    for (const id of lab.ids) lab.start(id, 104);
    lab.run(2000);
    for (const log of lab.logs.values()) expect([...log.values()]).not.toContain('104');
  });

  it('TestFailAgree: agreement despite a disconnected follower, which then catches up', () => {
    const lab = new Lab(3);
    lab.one(101, 3, false);
    const leader = lab.checkOneLeader();
    lab.disconnect(lab.ids.indexOf(leader) + 1);
    for (const cmd of [102, 103, 104, 105]) lab.one(cmd, 2, false);
    lab.connect(lab.ids.indexOf(leader) + 1);
    lab.one(106, 3, true);
    lab.run(300);
    lab.one(107, 3, true);
  });

  it('TestFailNoAgree: no agreement with 3 of 5 followers disconnected', () => {
    const lab = new Lab(5);
    lab.one(10, 5, false);
    const leader = lab.checkOneLeader();
    const l = lab.ids.indexOf(leader);
    for (const k of [1, 2, 3]) lab.disconnect(l + k);
    const { index, isLeader } = lab.start(leader, 20);
    expect(isLeader).toBe(true);
    lab.run(2000);
    expect(lab.nCommitted(index).count).toBe(0);
    for (const k of [1, 2, 3]) lab.connect(l + k);
    // The leader of the minority may be deposed; the majority side's log wins either way.
    lab.checkOneLeader();
    lab.one(1000, 5, true);
  });

  it('TestConcurrentStarts: concurrent proposals all commit', () => {
    const lab = new Lab(3);
    const leader = lab.checkOneLeader();
    const started = [0, 1, 2, 3, 4].map((i) => lab.start(leader, 100 + i));
    expect(started.every((s) => s.isLeader)).toBe(true);
    const got = started.map((s) => lab.wait(s.index, 3, s.term));
    expect(got.sort()).toEqual(['100', '101', '102', '103', '104']);
  });

  it('TestRejoin: a partitioned leader with uncommitted entries rejoins and is overruled', () => {
    const lab = new Lab(3);
    lab.one(101, 3, true);
    const leader1 = lab.checkOneLeader();
    lab.disconnect(leader1);
    for (const cmd of [102, 103, 104]) lab.start(leader1, cmd);
    lab.one(103, 2, true);
    const leader2 = lab.checkOneLeader();
    lab.disconnect(leader2);
    lab.connect(leader1);
    lab.one(104, 2, true);
    lab.connect(leader2);
    lab.one(105, 3, true);
  });

  it('TestBackup: a leader backs up quickly over incorrect follower logs (50 entries each)', () => {
    const lab = new Lab(5);
    lab.one(lab.c.rng.int(1e9), 5, false);
    const leader1 = lab.ids.indexOf(lab.checkOneLeader());
    for (const k of [2, 3, 4]) lab.disconnect(leader1 + k);
    for (let i = 0; i < 50; i++) lab.start(leader1, `stale-a-${i}`);
    lab.run(500);
    lab.disconnect(leader1);
    lab.disconnect(leader1 + 1);
    for (const k of [2, 3, 4]) lab.connect(leader1 + k);
    for (let i = 0; i < 50; i++) lab.one(`good-a-${i}`, 3, true);
    const leader2 = lab.ids.indexOf(lab.checkOneLeader());
    const other = [2, 3, 4].map((k) => leader1 + k).find((x) => lab.id(x) !== lab.id(leader2))!;
    lab.disconnect(other);
    for (let i = 0; i < 50; i++) lab.start(leader2, `stale-b-${i}`);
    lab.run(500);
    for (const id of lab.ids) lab.disconnect(id);
    lab.connect(leader1);
    lab.connect(leader1 + 1);
    lab.connect(other);
    for (let i = 0; i < 50; i++) lab.one(`good-b-${i}`, 3, true);
    for (const id of lab.ids) lab.connect(id);
    lab.one('final', 5, true);
    for (const log of lab.logs.values()) for (const v of log.values()) expect(v.startsWith('stale')).toBe(false);
  });

  it('TestCount: the RPC counts of an election, of agreement and of idling are modest', () => {
    // Heartbeats every 100 ms, as the lab requires (≤ 10/s).
    const lab = new Lab(3, { heartbeatIntervalTicks: 10, electionTimeoutTicks: 100 });
    lab.checkOneLeader();
    const electionRpcs = lab.rpcs();
    // Pre-vote doubles the vote requests: 2 rounds × 2 peers, plus the no-op appends.
    expect(electionRpcs).toBeLessThanOrEqual(30 + 3 * 10 * 5);
    const leader = lab.checkOneLeader();
    const total0 = lab.rpcs();
    const iters = 10;
    let last = lab.start(leader, 1).index;
    for (let i = 2; i <= iters; i++) last = lab.start(leader, i).index;
    lab.wait(last, 3, -1);
    // Proposals in one burst share appends; allow one append per command per peer plus heartbeats.
    expect(lab.rpcs() - total0).toBeLessThanOrEqual((iters + 1 + 3) * 3 + 3 * 2 * 10);
    const idle0 = lab.rpcs();
    lab.run(1000);
    expect(lab.rpcs() - idle0).toBeLessThanOrEqual(3 * 20);
  });
});
