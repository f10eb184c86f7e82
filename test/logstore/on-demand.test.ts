/**
 * Log gossip on demand, as daemons run it (no topic joined at start): a log nobody follows is
 * published to no one; a follow joins the topic, gets every byte (what it missed before its
 * subscription reached the owner comes from the owner's file), and leaves the topic when done.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logsTopic, type FollowStats } from '../../src/logstore/index.js';
import { startCluster, stopCluster, type TestNode } from './cluster.js';
import { collect, range, runPrinter, sha256, tempDir, waitFor } from './helpers.js';

describe('log gossip only while a node follows', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let nodes: TestNode[];
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('on-demand'));
    nodes = await startCluster(dir, [0, 0, 0], { onDemand: true });
  });
  afterAll(async () => {
    await stopCluster(nodes ?? []);
    await cleanup?.();
  });

  it('publishes nothing while no node follows, and nothing reaches the other nodes', async () => {
    const [a, b, c] = nodes as [TestNode, TestNode, TestNode];
    const received = () => b.net.stats().gossipDelivered + c.net.stats().gossipDelivered;
    const before = { ...a.logs.publisher.stats };
    const deliveredBefore = received();
    const log = await a.logs.open('quiet', 1);
    await runPrinter({ bytes: 300_000 }, (bytes) => log.onOutput(bytes));
    await log.end();
    await a.logs.publisher.flushed();
    expect(a.logs.publisher.stats.messages).toBe(before.messages);
    expect(a.logs.publisher.stats.unheard).toBeGreaterThan(before.unheard);
    expect(received()).toBe(deliveredBefore);
    expect(a.net.topicPeers(logsTopic)).toEqual([]);
  });

  it('a follow joins the topic, gets every byte, and leaves it when the log ends', async () => {
    const [a, b] = nodes as [TestNode, TestNode];
    const log = await a.logs.open('watched', 1);
    // Output before anyone follows: only the owner's file has it.
    await log.onOutput(Buffer.from('before the follow\n'));
    const onB = collect(b.logs.follow('watched', 1, { owner: a.net.peerId }));
    await waitFor(() => a.net.topicPeers(logsTopic).includes(b.net.peerId), 'the owner to see b subscribed');
    const sent = a.logs.publisher.stats.messages;
    await runPrinter({ bytes: 2_000_000, seed: 5 }, (bytes) => log.onOutput(bytes));
    const end = await log.end();
    const file = await readFile(log.file);
    const got = await onB;
    expect(got.data.equals(file)).toBe(true);
    expect(sha256(got.data)).toBe(end.sha256);
    expect(got.seqs).toEqual(range(0, end.seqEnd));
    expect(a.logs.publisher.stats.messages).toBeGreaterThan(sent);
    await waitFor(() => !a.net.topicPeers(logsTopic).includes(b.net.peerId), 'b to leave the log topic');
  });

  it('a node that left the topic joins it again for its next follow, and gets that log by gossip', async () => {
    const [a, b] = nodes as [TestNode, TestNode];
    const stats: FollowStats[] = [];
    const log = await a.logs.open('again', 1);
    const onB = collect(b.logs.follower.follow('again', 1, { owner: a.net.peerId, onStats: (s) => stats.push(s) }));
    await waitFor(() => a.net.topicPeers(logsTopic).includes(b.net.peerId), 'the owner to see b subscribed again');
    await runPrinter({ bytes: 2_000_000, seed: 6 }, (bytes) => log.onOutput(bytes));
    const end = await log.end();
    const got = await onB;
    expect(sha256(got.data)).toBe(end.sha256);
    expect(stats[0]!.gossipChunks).toBeGreaterThan(0);
  });
});
