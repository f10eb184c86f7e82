/**
 * The proposer's answer when a peer proposed for it (no leader known here, as during a
 * failover): the command is applied on the peer first, and this node must not answer before
 * it has applied the same entry, or a caller reading its own write back from this node's state
 * (a submit answering with the new job's view) finds nothing. The state host and its git store
 * are real; the Raft host and the network stand in for a node that sees no leader and a peer
 * that answers at once, the entry reaching this node's log a moment later.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Network } from '../../src/net/index.js';
import { openStore } from '../../src/store/index.js';
import { Proposer } from '../../node/proposer.js';
import type { RaftHost } from '../../node/raft-host.js';
import { StateHost } from '../../node/state-host.js';

/** The entry reaches this node's log this long after the peer answered. */
const replicationLagMs = 150;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function leaderlessNode(): Promise<{ proposer: Proposer; stateHost: StateHost; peerAnswered: () => number | null }> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-proposer-'));
  dirs.push(dir);
  const stateHost = new StateHost({ store: await openStore(dir), replayedThrough: 0, onStart: () => undefined, onStop: () => undefined });
  const raft = {
    propose: () => ({ kind: 'dropped', reason: 'no leader' }),
    isMember: () => true,
    onLeaderChange: () => () => undefined,
  } as unknown as RaftHost;
  let answeredAt: number | null = null;
  const net = {
    connectedPeers: () => ['peer'],
    request: async (_peer: string, _rpc: string, bytes: Uint8Array) => {
      // The peer applied it: its answer comes now, the entry reaches this node's log later.
      setTimeout(() => void stateHost.apply([{ term: 2, index: 1, type: 'normal', data: bytes }], null), replicationLagMs);
      answeredAt = performance.now();
      return new TextEncoder().encode(JSON.stringify({ ok: true, run: { id: 'from-peer', jobs: [], duplicate: false } }));
    },
  } as unknown as Network;
  return { proposer: new Proposer('n1', raft, stateHost, net), stateHost, peerAnswered: () => answeredAt };
}

describe('Proposer', () => {
  it('answers a command a peer proposed for it only once this node has applied it too', async () => {
    const { proposer, stateHost, peerAnswered } = await leaderlessNode();
    const res = await proposer.propose({ kind: 'ConfigSet', key: 'maxVoters', value: 3 }, 5000);
    // This node's own result (a ConfigSet has no run), and the write is visible in its state.
    expect(res).toEqual({ ok: true });
    expect(stateHost.state.appliedIndex).toBe(1);
    expect(stateHost.state.config.maxVoters).toBe(3);
    expect(peerAnswered()).not.toBeNull();
  });
});
