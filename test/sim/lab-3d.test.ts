/**
 * The MIT 6.5840 Raft lab's scenarios 3D (log compaction): servers snapshot every 10 entries;
 * followers that fall behind the compacted log get InstallSnapshot; restarts load snapshots.
 */
import { describe, expect, it } from 'vitest';
import { Lab } from './lab.js';

const snapshotEveryEntries = 10;

/** The lab's snapcommon: 30 iterations of one() while a victim is cut off, crashed or not. */
function snapCommon(disconnect: boolean, unreliable: boolean, crash: boolean): Lab {
  const lab = new Lab(3, { unreliable, snapshotEveryEntries });
  lab.one(lab.c.rng.int(1e9), 3, true);
  let leader1 = lab.ids.indexOf(lab.checkOneLeader());
  for (let i = 0; i < 30; i++) {
    let victim = leader1 + 1;
    let sender = leader1;
    if (i % 3 === 1) {
      sender = leader1 + 1;
      victim = leader1;
    }
    if (disconnect) lab.disconnect(victim);
    if (crash) lab.crash(victim);
    // Send enough commands to get the victim far behind the compacted log.
    for (let k = 0; k < snapshotEveryEntries + 1; k++) lab.start(sender, lab.c.rng.int(1e9));
    lab.one(lab.c.rng.int(1e9), 2, true);
    if (disconnect) {
      lab.connect(victim);
      lab.one(lab.c.rng.int(1e9), 3, true);
      leader1 = lab.ids.indexOf(lab.checkOneLeader());
    }
    if (crash) {
      lab.restart(victim);
      lab.connect(victim);
      lab.one(lab.c.rng.int(1e9), 3, true);
      leader1 = lab.ids.indexOf(lab.checkOneLeader());
    }
  }
  return lab;
}

describe('6.5840 3D: snapshots', () => {
  it('TestSnapshotBasic: logs are compacted and agreement continues', () => {
    const lab = new Lab(3, { snapshotEveryEntries });
    for (let i = 0; i < 3 * snapshotEveryEntries + 1; i++) lab.one(i, 3, true);
    for (const id of lab.ids) expect(lab.c.get(id).storage.firstIndex()).toBeGreaterThan(snapshotEveryEntries);
    expect(lab.c.counts.compaction ?? 0).toBeGreaterThan(0);
  });

  it.each([
    ['TestSnapshotInstall', true, false, false],
    ['TestSnapshotInstallUnreliable', true, true, false],
    ['TestSnapshotInstallCrash', false, false, true],
    ['TestSnapshotInstallUnCrash', false, true, true],
  ] as const)('%s: a lagging follower catches up through InstallSnapshot', (_name, disconnect, unreliable, crash) => {
    const lab = snapCommon(disconnect, unreliable, crash);
    expect(lab.c.counts['snapshot-installed'] ?? 0).toBeGreaterThan(0);
    lab.setUnreliable(false);
    lab.one('last', 3, true);
  });

  it('TestSnapshotAllCrash: everyone crashes after snapshots, and the log continues', () => {
    const lab = new Lab(3, { snapshotEveryEntries });
    lab.one(lab.c.rng.int(1e9), 3, true);
    for (let i = 0; i < 5; i++) {
      for (let k = 0; k < snapshotEveryEntries + 1; k++) lab.one(lab.c.rng.int(1e9), 3, true);
      const index1 = lab.one(lab.c.rng.int(1e9), 3, true);
      for (const id of lab.ids) lab.crash(id);
      for (const id of lab.ids) {
        lab.restart(id);
        lab.connect(id);
      }
      const index2 = lab.one(lab.c.rng.int(1e9), 3, true);
      expect(index2).toBeGreaterThan(index1);
    }
  });

  it('TestSnapshotInit: a restart loads the snapshot, twice over', () => {
    const lab = new Lab(3, { snapshotEveryEntries });
    lab.one(lab.c.rng.int(1e9), 3, true);
    for (let k = 0; k < snapshotEveryEntries + 1; k++) lab.one(lab.c.rng.int(1e9), 3, true);
    for (let round = 0; round < 2; round++) {
      for (const id of lab.ids) lab.crash(id);
      for (const id of lab.ids) {
        lab.restart(id);
        lab.connect(id);
        // The state machine came back from the snapshot, not from an empty log.
        expect(lab.c.get(id).appliedIndex).toBeGreaterThan(1);
      }
      lab.one(lab.c.rng.int(1e9), 3, true);
    }
  });
});
