/**
 * The MIT 6.5840 Raft lab's scenarios 3C (persistence): crashes lose everything but what was
 * persisted, and the Figure 8 and churn tests under reliable and unreliable networks.
 */
import { describe, expect, it } from 'vitest';
import { Lab } from './lab.js';

function crashAllAndRestart(lab: Lab): void {
  for (const id of lab.ids) lab.crash(id);
  for (const id of lab.ids) {
    lab.restart(id);
    lab.connect(id);
  }
}

describe('6.5840 3C: persistence', () => {
  it('TestPersist1: state survives crashes of all, of the leader, and of followers', () => {
    const lab = new Lab(3);
    lab.one(11, 3, true);
    crashAllAndRestart(lab);
    lab.one(12, 3, true);
    const leader1 = lab.checkOneLeader();
    lab.crash(leader1);
    lab.restart(leader1);
    lab.connect(leader1);
    lab.one(13, 3, true);
    const leader2 = lab.checkOneLeader();
    lab.crash(leader2);
    lab.one(14, 2, true);
    lab.restart(leader2);
    lab.connect(leader2);
    lab.wait(lab.one(14.5, 3, true), 3, -1);
    const i3 = lab.ids.indexOf(lab.checkOneLeader()) + 1;
    lab.crash(i3);
    lab.one(15, 2, true);
    lab.restart(i3);
    lab.connect(i3);
    lab.one(16, 3, true);
  });

  it('TestPersist2: repeated partial crashes and partitions of 5 servers', () => {
    const lab = new Lab(5);
    let index = 1;
    for (let iters = 0; iters < 5; iters++) {
      lab.one(10 + index++, 5, true);
      const l1 = lab.ids.indexOf(lab.checkOneLeader());
      lab.disconnect(l1 + 1);
      lab.disconnect(l1 + 2);
      lab.one(10 + index++, 3, true);
      lab.disconnect(l1);
      lab.disconnect(l1 + 3);
      lab.disconnect(l1 + 4);
      lab.crash(l1 + 1);
      lab.crash(l1 + 2);
      lab.restart(l1 + 1);
      lab.restart(l1 + 2);
      lab.connect(l1 + 1);
      lab.connect(l1 + 2);
      lab.run(1000);
      lab.crash(l1 + 3);
      lab.restart(l1 + 3);
      lab.connect(l1 + 3);
      lab.one(10 + index++, 3, true);
      lab.connect(l1 + 4);
      lab.connect(l1);
    }
    lab.one(1000, 5, true);
  });

  it('TestPersist3: a partitioned leader and a follower crash, the leader restarts', () => {
    const lab = new Lab(3);
    lab.one(101, 3, true);
    const leader = lab.ids.indexOf(lab.checkOneLeader());
    lab.disconnect(leader + 2);
    lab.one(102, 2, true);
    lab.crash(leader);
    lab.crash(leader + 1);
    lab.connect(leader + 2);
    lab.restart(leader);
    lab.connect(leader);
    lab.one(103, 2, true);
    lab.restart(leader + 1);
    lab.connect(leader + 1);
    lab.one(104, 3, true);
  });

  it('TestFigure8: leaders crash right after proposing; committed entries survive', () => {
    const lab = new Lab(5);
    lab.one(lab.c.rng.int(1e9), 1, true);
    let nup = 5;
    for (let iters = 0; iters < 1000; iters++) {
      let leader = -1;
      for (let i = 0; i < 5; i++) if (lab.node(i).up && lab.start(i, lab.c.rng.int(1e9)).isLeader) leader = i;
      lab.run(lab.c.rng.int(1000) < 100 ? lab.c.rng.int(500) : lab.c.rng.int(13));
      if (leader !== -1) {
        lab.crash(leader);
        nup--;
      }
      if (nup < 3) {
        const s = lab.c.rng.int(5);
        if (!lab.node(s).up) {
          lab.restart(s);
          lab.connect(s);
          nup++;
        }
      }
    }
    for (let i = 0; i < 5; i++) {
      if (!lab.node(i).up) lab.restart(i);
      lab.connect(i);
    }
    lab.one(lab.c.rng.int(1e9), 5, true);
  });

  it('TestUnreliableAgree: agreement over a lossy, duplicating, reordering network', () => {
    const lab = new Lab(5, { unreliable: true });
    for (let iters = 1; iters < 50; iters++) {
      // The lab starts four concurrent clients per iteration; here they submit back to back.
      for (let j = 0; j < 4; j++) lab.start(lab.checkOneLeaderQuick(), 100 * iters + j);
      lab.one(iters, 1, true);
    }
    lab.setUnreliable(false);
    lab.one(100, 5, true);
  });

  it('TestFigure8Unreliable: leaders cut off at random over an unreliable, long-delay network', () => {
    const lab = new Lab(5, { unreliable: true });
    lab.one(lab.c.rng.int(10_000), 1, true);
    let nup = 5;
    for (let iters = 0; iters < 1000; iters++) {
      if (iters === 200) lab.setUnreliable(true, true);
      let leader = -1;
      for (let i = 0; i < 5; i++) if (lab.connected(lab.id(i)) && lab.start(i, lab.c.rng.int(10_000)).isLeader) leader = i;
      lab.run(lab.c.rng.int(1000) < 100 ? lab.c.rng.int(500) : lab.c.rng.int(13));
      if (leader !== -1 && lab.c.rng.chance(0.5)) {
        lab.disconnect(leader);
        nup--;
      }
      if (nup < 3) {
        const s = lab.c.rng.int(5);
        if (!lab.connected(lab.id(s))) {
          lab.connect(s);
          nup++;
        }
      }
    }
    for (let i = 0; i < 5; i++) lab.connect(i);
    lab.setUnreliable(false);
    lab.one(lab.c.rng.int(10_000), 5, true);
  });

  it.each([
    ['TestReliableChurn', false],
    ['TestUnreliableChurn', true],
  ] as const)('%s: clients keep proposing while servers crash, restart and reconnect', (_name, unreliable) => {
    const lab = new Lab(5, { unreliable });
    const committed = new Set<string>();
    let seq = 0;
    // Three clients: each proposes to a random server every few ms and remembers what committed.
    const client = (c: number): void => {
      const value = `churn-${c}-${seq++}`;
      const r = lab.start(lab.c.rng.int(5), value);
      if (r.isLeader) {
        const start = lab.c.now();
        const check = (): void => {
          if (lab.nCommitted(r.index).cmd === value) committed.add(value);
          else if (lab.c.now() - start < 2000) lab.c.schedule(lab.c.now() + 20, check);
        };
        lab.c.schedule(lab.c.now() + 20, check);
      }
      if (lab.c.now() < churnEnd) lab.c.schedule(lab.c.now() + 1 + lab.c.rng.int(20), () => client(c));
    };
    const churnEnd = lab.c.now() + 20_000;
    for (let c = 0; c < 3; c++) client(c);
    for (let iters = 0; iters < 20; iters++) {
      if (lab.c.rng.int(1000) < 200) lab.disconnect(lab.c.rng.int(5));
      if (lab.c.rng.int(1000) < 500) {
        const i = lab.c.rng.int(5);
        if (!lab.node(i).up) lab.restart(i);
        lab.connect(i);
      }
      if (lab.c.rng.int(1000) < 200) {
        const i = lab.c.rng.int(5);
        if (lab.node(i).up) lab.crash(i);
      }
      // Crash-restart cycles faster than the election timeout would stall progress; the lab
      // sleeps a fraction of an election timeout between churn steps.
      lab.run(700 * (1 + lab.c.rng.int(10)) / 10);
    }
    lab.run(20_000 - 0);
    lab.setUnreliable(false);
    for (let i = 0; i < 5; i++) {
      if (!lab.node(i).up) lab.restart(i);
      lab.connect(i);
    }
    lab.run(2000);
    const last = lab.one('churn-final', 5, true);
    const values = new Set<string>();
    for (let index = 1; index <= last; index++) {
      const { cmd } = lab.nCommitted(index);
      if (cmd !== null) values.add(cmd);
    }
    expect(committed.size).toBeGreaterThan(0);
    for (const v of committed) expect(values.has(v), `committed ${v} is missing`).toBe(true);
  });
});
