import { gossipsub } from '@chainsafe/libp2p-gossipsub';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import type { Libp2p, PeerId, PubSub, Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { tcp } from '@libp2p/tcp';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import { CairnError, assert } from '../util/errors.js';
import { parseClusterKey } from './cluster-key.js';
import {
  connectionPingIntervalMs,
  defaultAllowAddrs,
  defaultListenAddrs,
  dialTimeoutMs,
  gossipEnvelopeBytesMax,
  gossipHeartbeatMs,
  gossipMessageBytesMax,
  raftInboundStreamsMax,
  raftProtocol,
  rpcStreamsMax,
} from './constants.js';
import { Gossip, gossipMessageId } from './gossip.js';
import { JoinDialer } from './join-dialer.js';
import { noiseCrypto } from './noise-crypto.js';
import { loadOrCreatePeerKey } from './peer-identity.js';
import { checkedPreSharedKey } from './psk-check.js';
import { RaftChannels } from './raft-channels.js';
import { rpcProtocol, sendRequest, serveRequest } from './rpc.js';
import type {
  GossipHandler,
  Network,
  NetworkInit,
  NetworkLogger,
  NetworkStats,
  PeerAddrs,
  PeerHandler,
  RaftMessageHandler,
  RequestHandler,
  RequestOptions,
  SubscribeOptions,
  Unsubscribe,
} from './types.js';

const silentLog: NetworkLogger = { debug: () => {}, warn: () => {} };

/**
 * Builds a cluster network node: libp2p with TCP, the pnet pre-shared key, noise, yamux,
 * identify and gossipsub, plus cairn's Raft, request/response and join protocols. The node is
 * created stopped; `start()` listens and dials the join addresses.
 */
export async function createNetwork(init: NetworkInit): Promise<Network> {
  const psk = parseClusterKey(init.clusterKey);
  const privateKey = await loadOrCreatePeerKey(init.peerKeyFile);
  const log = init.log ?? silentLog;
  const listen = [...(init.listen ?? defaultListenAddrs)];
  for (const addr of [...listen, ...(init.join ?? [])]) parseMultiaddr(addr);
  const libp2p = await createLibp2p({
    start: false,
    privateKey,
    addresses: { listen },
    transports: [tcp()],
    connectionProtector: checkedPreSharedKey(psk, (remoteAddr, why) => log.warn({ remoteAddr }, `connection refused: ${why}`)),
    connectionEncrypters: [noise({ crypto: noiseCrypto })],
    streamMuxers: [yamux()],
    connectionManager: { allow: [...(init.allow ?? defaultAllowAddrs)], dialTimeout: dialTimeoutMs },
    connectionMonitor: { pingInterval: connectionPingIntervalMs },
    services: {
      identify: identify(),
      pubsub: gossipsub({
        // Unsigned, with cairn's own origin envelope and message id: see Gossip.
        globalSignaturePolicy: 'StrictNoSign',
        msgIdFn: gossipMessageId,
        emitSelf: true,
        floodPublish: true,
        allowPublishToZeroTopicPeers: true,
        heartbeatInterval: gossipHeartbeatMs,
        maxInboundDataLength: gossipMessageBytesMax + gossipEnvelopeBytesMax,
      }),
    },
  });
  return new LibP2pNetwork(libp2p, init);
}

class LibP2pNetwork implements Network {
  readonly peerId: string;
  private readonly libp2p: Libp2p<{ pubsub: PubSub }>;
  private readonly log: NetworkLogger;
  private readonly statsCounters: NetworkStats = {
    raftFramesSent: 0,
    raftFramesReceived: 0,
    raftFramesDropped: 0,
    raftStreamOpenFailures: 0,
    gossipPublished: 0,
    gossipDelivered: 0,
    gossipDropped: 0,
  };
  private readonly raft: RaftChannels;
  private readonly gossip: Gossip;
  private readonly joiner: JoinDialer;
  private readonly gossipTopics: readonly string[];
  private readonly rpcHandlers = new Map<string, RequestHandler>();
  private readonly connectedCbs = new Set<PeerHandler>();
  private readonly disconnectedCbs = new Set<PeerHandler>();
  /** Peer ids already checked by sendRaft (parsing one on every send would cost a base58 decode). */
  private readonly knownPeerIds = new Set<string>();
  private readonly listen: readonly string[];
  private started = false;

  constructor(libp2p: Libp2p<{ pubsub: PubSub }>, init: NetworkInit) {
    this.libp2p = libp2p;
    this.listen = init.listen ?? defaultListenAddrs;
    this.peerId = libp2p.peerId.toString();
    this.log = init.log ?? silentLog;
    this.gossipTopics = init.gossipTopics ?? [];
    const openStream = (peerId: string, protocol: string, signal: AbortSignal): Promise<Stream> =>
      this.openStream(peerId, protocol, signal);
    this.raft = new RaftChannels({ openStream, now: () => performance.now(), log: this.log, stats: this.statsCounters }, { protocol: raftProtocol });
    this.gossip = new Gossip({ pubsub: libp2p.services.pubsub, selfId: this.peerId, stats: this.statsCounters }, init.faults);
    this.joiner = new JoinDialer(
      { dial: (addr) => this.dialJoin(addr), isConnected: (p) => this.isConnected(p), selfId: this.peerId, log: this.log },
      init.join ?? [],
    );
  }

  addrs(): string[] {
    return this.libp2p.getMultiaddrs().map((m) => m.toString());
  }

  async start(): Promise<void> {
    assert(!this.started, 'network started twice');
    this.started = true;
    this.libp2p.addEventListener('peer:connect', this.onConnect);
    this.libp2p.addEventListener('peer:disconnect', this.onDisconnect);
    await this.libp2p.handle(raftProtocol, (data) => this.raft.handleInbound(data), {
      maxInboundStreams: raftInboundStreamsMax,
      maxOutboundStreams: raftInboundStreamsMax,
    });
    try {
      await this.libp2p.start();
    } catch (err) {
      this.started = false;
      this.libp2p.removeEventListener('peer:connect', this.onConnect);
      this.libp2p.removeEventListener('peer:disconnect', this.onDisconnect);
      await Promise.resolve(this.libp2p.stop()).catch(() => {});
      throw new CairnError('INVALID_INPUT', `cannot listen on ${this.listen.join(', ')}: ${(err as Error).message}`, { listen: this.listen }, { cause: err });
    }
    for (const [name, handler] of this.rpcHandlers) await this.registerRpc(name, handler);
    this.gossip.start(this.gossipTopics);
    this.joiner.start();
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.joiner.stop();
    this.raft.stop();
    this.gossip.stop();
    this.libp2p.removeEventListener('peer:connect', this.onConnect);
    this.libp2p.removeEventListener('peer:disconnect', this.onDisconnect);
    await this.libp2p.stop();
  }

  async dial(addr: string): Promise<string> {
    const ma = parseMultiaddr(addr);
    try {
      const conn = await this.libp2p.dial(ma, { signal: AbortSignal.timeout(dialTimeoutMs) });
      return conn.remotePeer.toString();
    } catch (err) {
      throw new CairnError('UNREACHABLE', `cannot connect to ${addr}: ${(err as Error).message}`, { addr }, { cause: err });
    }
  }

  /** A join list shared by every node names this node too: dialling it means "self", not a failure. */
  private async dialJoin(addr: string): Promise<string> {
    try {
      return await this.dial(addr);
    } catch (err) {
      if (err instanceof CairnError && (err.cause as Error | undefined)?.message === 'Can not dial self') return this.peerId;
      throw err;
    }
  }

  connectedPeers(): string[] {
    return this.libp2p.getPeers().map((p) => p.toString());
  }

  isConnected(peerId: string): boolean {
    return this.libp2p.getConnections(toPeerId(peerId)).some((c) => c.status === 'open');
  }

  onPeerConnected(cb: PeerHandler): Unsubscribe {
    this.connectedCbs.add(cb);
    return () => this.connectedCbs.delete(cb);
  }

  onPeerDisconnected(cb: PeerHandler): Unsubscribe {
    this.disconnectedCbs.add(cb);
    return () => this.disconnectedCbs.delete(cb);
  }

  async addPeerAddrs(peerId: string, addrs: string[]): Promise<void> {
    const id = toPeerId(peerId);
    if (id.equals(this.libp2p.peerId)) return;
    await this.libp2p.peerStore.merge(id, { multiaddrs: addrs.map(parseMultiaddr) });
  }

  async peerAddrs(peerId: string): Promise<string[]> {
    try {
      const peer = await this.libp2p.peerStore.get(toPeerId(peerId));
      return peer.addresses.map((a) => a.multiaddr.toString());
    } catch (err) {
      if ((err as Error).name === 'NotFoundError') return [];
      throw err;
    }
  }

  async addressBook(): Promise<PeerAddrs[]> {
    const peers = await this.libp2p.peerStore.all();
    return peers
      .filter((p) => !p.id.equals(this.libp2p.peerId))
      .map((p) => ({ peerId: p.id.toString(), addrs: p.addresses.map((a) => a.multiaddr.toString()) }));
  }

  sendRaft(peerId: string, bytes: Uint8Array): boolean {
    if (!this.knownPeerIds.has(peerId)) {
      assert(peerId !== this.peerId, 'raft message addressed to this node itself');
      toPeerId(peerId); // a malformed id is the caller's error: say so now, not at dial time
      this.knownPeerIds.add(peerId);
    }
    return this.raft.send(peerId, bytes);
  }

  onRaftMessage(cb: RaftMessageHandler): Unsubscribe {
    return this.raft.onMessage(cb);
  }

  request(peerId: string, protocolName: string, bytes: Uint8Array, opts: RequestOptions): Promise<Uint8Array> {
    return sendRequest({ openStream: (p, proto, signal) => this.openStream(p, proto, signal), log: this.log }, peerId, protocolName, bytes, opts);
  }

  async handle(protocolName: string, handler: RequestHandler): Promise<void> {
    rpcProtocol(protocolName); // validates the name now rather than at start
    this.rpcHandlers.set(protocolName, handler);
    if (this.started) await this.registerRpc(protocolName, handler);
  }

  publish(topic: string, bytes: Uint8Array): Promise<void> {
    return this.gossip.publish(topic, bytes);
  }

  subscribe(topic: string, cb: GossipHandler, opts?: SubscribeOptions): Unsubscribe {
    return this.gossip.subscribe(topic, cb, this.started, opts);
  }

  topicPeers(topic: string): string[] {
    return this.libp2p.services.pubsub.getSubscribers(topic).map((p) => p.toString());
  }

  stats(): NetworkStats {
    return { ...this.statsCounters };
  }

  private registerRpc(name: string, handler: RequestHandler): Promise<void> {
    return this.libp2p.handle(rpcProtocol(name), (data) => serveRequest(this.log, name, handler, data), {
      maxInboundStreams: rpcStreamsMax,
      maxOutboundStreams: rpcStreamsMax,
      force: true,
    });
  }

  private async openStream(peerId: string, protocol: string, signal: AbortSignal): Promise<Stream> {
    return this.libp2p.dialProtocol(toPeerId(peerId), protocol, { signal, maxOutboundStreams: rpcStreamsMax });
  }

  private readonly onConnect = (evt: CustomEvent<PeerId>): void => {
    const id = evt.detail.toString();
    for (const cb of this.connectedCbs) cb(id);
  };

  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    const id = evt.detail.toString();
    this.raft.peerDisconnected(id);
    this.joiner.peerDisconnected(id);
    for (const cb of this.disconnectedCbs) cb(id);
  };
}

function parseMultiaddr(addr: string): Multiaddr {
  try {
    return multiaddr(addr);
  } catch (err) {
    throw new CairnError('INVALID_INPUT', `not a multiaddr: ${addr}`, { addr }, { cause: err });
  }
}

function toPeerId(peerId: string): PeerId {
  try {
    return peerIdFromString(peerId);
  } catch (err) {
    throw new CairnError('INVALID_INPUT', `not a peer id: ${peerId}`, { peerId }, { cause: err });
  }
}
