import { describe, expect, it } from 'vitest';
import { leaseExpired, selfFenceDeadlineMs } from '../../src/cluster/index.js';
import { Harness, plan, spec } from './fixtures.js';

describe('leaseExpired', () => {
  it('proposes NodeDown for nodes silent longer than the lease, and that loses their attempts', () => {
    const h = new Harness();
    h.join('a');
    h.join('b');
    h.submit(plan([spec('x'), spec('y')]));
    h.schedule();
    const lease = h.state.config.leaseMs;
    const bBeat = h.state.nodes.b!.lastHeartbeatMs;
    h.ok({ kind: 'NodeHeartbeat', node: 'a' }, lease);
    const now = bBeat + lease + 1;
    expect(now).toBeLessThanOrEqual(h.timeMs + 20);
    const cmds = leaseExpired(h.state, now);
    expect(cmds).toEqual([{ kind: 'NodeDown', node: 'b', reason: `lease expired: no heartbeat for ${lease + 1} ms (lease ${lease} ms)`, ifLastHeartbeatMs: bBeat }]);
    expect(leaseExpired(h.state, bBeat + lease)).toEqual([]);
    h.ok(cmds[0]!);
    const lostJob = Object.values(h.state.jobs).find((j) => j.attempts[0]!.node === 'b')!;
    // Re-queued and placed again at once on a, which has a free slot.
    expect(lostJob.state).toBe('placed');
    expect(lostJob.attempts.map((x) => [x.node, x.state])).toEqual([['b', 'lost'], ['a', 'placed']]);
    expect(leaseExpired(h.state, now + 10_000).map((c) => c.node)).toEqual(['a']);
  });

  it('a heartbeat that lands first makes the racing NodeDown refuse (compare-and-set)', () => {
    const h = new Harness();
    h.join('a');
    const [down] = leaseExpired(h.state, h.timeMs + h.state.config.leaseMs + 1);
    h.ok({ kind: 'NodeHeartbeat', node: 'a' });
    h.refused(down!, 'heartbeat-since');
    expect(h.state.nodes.a!.state).toBe('up');
  });

  it('gives every node a full lease from the moment a new leader took office', () => {
    const h = new Harness();
    h.join('a');
    const late = h.timeMs + h.state.config.leaseMs * 3;
    expect(leaseExpired(h.state, late)).toHaveLength(1);
    expect(leaseExpired(h.state, late, { leaderSinceMs: late - 100 })).toEqual([]);
    expect(leaseExpired(h.state, late, { leaderSinceMs: late - h.state.config.leaseMs - 1 })).toHaveLength(1);
  });

  it('a heartbeat brings a down node back up, and it takes jobs again', () => {
    const h = new Harness();
    h.join('a');
    h.ok({ kind: 'NodeDown', node: 'a', reason: 'lease expired' });
    h.submit(plan([spec('x')]));
    expect(h.schedule()).toEqual([]);
    h.ok({ kind: 'NodeHeartbeat', node: 'a' });
    expect(h.state.nodes.a).toMatchObject({ state: 'up', downReason: null });
    expect(h.schedule()).toEqual([{ job: '1.1', node: 'a' }]);
  });
});

describe('self-fencing', () => {
  it('a cut-off node stops its jobs before the leader could declare it down', () => {
    const h = new Harness();
    h.join('a');
    const sentAt = h.timeMs - 5; // the node sent its heartbeat a little before the entry's time
    h.ok({ kind: 'NodeHeartbeat', node: 'a' });
    const beat = h.state.nodes.a!.lastHeartbeatMs;
    const lease = h.state.config.leaseMs;
    const deadline = selfFenceDeadlineMs(sentAt, lease);
    expect(deadline).toBeLessThan(beat + lease);
    // At the node's deadline the leader still sees it within its lease.
    expect(leaseExpired(h.state, deadline)).toEqual([]);
  });
});
