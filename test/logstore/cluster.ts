import { join } from 'node:path';
import { createNetwork, generateClusterKey, type Network } from '../../src/net/index.js';
import { LogService, eventsTopic, logsTopic, type FollowTiming } from '../../src/logstore/index.js';
import { seeded, waitFor } from './helpers.js';

export interface TestNode {
  name: string;
  net: Network;
  logs: LogService;
}

/**
 * Real libp2p nodes on loopback, each with its LogService: the first founds, the others join
 * it. `dropRates[i]` drops that share of the gossip node i receives (seeded). With `onDemand`
 * the nodes join no topic at start, as daemons do: a follow or an event subscription joins it.
 */
export async function startCluster(dir: string, dropRates: number[], opts: { seed?: number; timing?: Partial<FollowTiming>; onDemand?: boolean } = {}): Promise<TestNode[]> {
  const key = generateClusterKey();
  const nodes: TestNode[] = [];
  const seed = opts.seed ?? 1;
  for (const [i, dropRate] of dropRates.entries()) {
    const name = String.fromCharCode(97 + i);
    const join0 = nodes[0]?.net.addrs()[0];
    const net = await createNetwork({
      peerKeyFile: join(dir, `${name}.key`),
      clusterKey: key,
      gossipTopics: opts.onDemand ? [] : [logsTopic, eventsTopic],
      ...(join0 === undefined ? {} : { join: [join0] }),
      ...(dropRate > 0 ? { faults: { gossipDropRate: dropRate, random: seeded(seed + i) } } : {}),
    });
    await net.start();
    const logs = new LogService({ network: net, root: join(dir, name, 'logs'), sweepEveryMs: null, ...(opts.timing === undefined ? {} : { timing: opts.timing }) });
    await logs.start();
    nodes.push({ name, net, logs });
  }
  const [first, ...rest] = nodes;
  await waitFor(
    () =>
      rest.every((n) =>
        opts.onDemand
          ? first!.net.isConnected(n.net.peerId)
          : first!.net.topicPeers(logsTopic).includes(n.net.peerId) && n.net.topicPeers(logsTopic).includes(first!.net.peerId),
      ),
    opts.onDemand ? 'the nodes to connect' : 'the gossip mesh to form',
    20_000,
  );
  return nodes;
}

export async function stopCluster(nodes: readonly TestNode[]): Promise<void> {
  for (const n of nodes) await n.logs.stop();
  await Promise.all(nodes.map((n) => n.net.stop()));
}
