/**
 * The network's public contract. Nothing here mentions libp2p: the rest of cairn sees peers
 * as id strings and addresses as multiaddr strings.
 */

/** Fault injection for tests: drop a share of received gossip messages. */
export interface NetworkFaults {
  /** Probability in [0, 1] that a received gossip message is dropped before delivery. */
  gossipDropRate?: number;
  /** Source of randomness for the drop decision, in [0, 1); defaults to Math.random. */
  random?: () => number;
}

/** A pino-compatible logger; the network logs only what an operator would act on. */
export interface NetworkLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** How to build a network node (defaults in constants.ts). */
export interface NetworkInit {
  /** The persistent identity (`peer.key` in the data dir): created on first start (0600), reused after. */
  peerKeyFile: string;
  /** Contents of the cluster's `swarm.key` (see readClusterKey). */
  clusterKey: Uint8Array;
  /** Multiaddrs to listen on; default `/ip4/127.0.0.1/tcp/0`. */
  listen?: string[];
  /** Multiaddrs dialled at start and redialled with bounded backoff whenever not connected. */
  join?: string[];
  /** Gossip topics subscribed at start, so the mesh forms before the first publish. */
  gossipTopics?: string[];
  /** Address ranges exempt from the inbound connection rate limit; default loopback. */
  allow?: string[];
  faults?: NetworkFaults;
  log?: NetworkLogger;
}

export interface RequestOptions {
  /** The whole exchange (dial, send, handler, reply) must finish in this time. */
  timeoutMs: number;
}

export interface SubscribeOptions {
  /** Also deliver this node's own messages to this subscriber (default false). */
  includeSelf?: boolean;
}

export type RaftMessageHandler = (from: string, bytes: Uint8Array) => void;
export type RequestHandler = (from: string, bytes: Uint8Array) => Promise<Uint8Array>;
export type GossipHandler = (from: string, bytes: Uint8Array) => void;
export type PeerHandler = (peerId: string) => void;
/** Removes the listener it was returned for. */
export type Unsubscribe = () => void;

/** Counters for /metrics and for tests that check bounded behaviour. */
export interface NetworkStats {
  raftFramesSent: number;
  raftFramesReceived: number;
  /** Frames refused because a peer's queue was full or its stream could not be opened. */
  raftFramesDropped: number;
  raftStreamOpenFailures: number;
  gossipPublished: number;
  gossipDelivered: number;
  /** Gossip messages dropped by fault injection. */
  gossipDropped: number;
}

/** A peer and the addresses this node knows for it. */
export interface PeerAddrs {
  peerId: string;
  addrs: string[];
}

export interface Network {
  /** This node's peer id (stable across restarts with the same key file). */
  readonly peerId: string;
  /** Listen addresses, each ending in `/p2p/<peerId>`; empty before start. */
  addrs(): string[];
  start(): Promise<void>;
  /** Closes every connection and stream, and cancels redials; idempotent. */
  stop(): Promise<void>;

  /** Dials a multiaddr and resolves with the remote peer id; CairnError UNREACHABLE on failure. */
  dial(addr: string): Promise<string>;
  connectedPeers(): string[];
  isConnected(peerId: string): boolean;
  onPeerConnected(cb: PeerHandler): Unsubscribe;
  /** Fires when the last connection to a peer closes (at once when its process dies). */
  onPeerDisconnected(cb: PeerHandler): Unsubscribe;

  /** Records addresses for a peer (e.g. members' addresses from the cluster state). */
  addPeerAddrs(peerId: string, addrs: string[]): Promise<void>;
  /** Addresses known for a peer, learnt by identify or addPeerAddrs. */
  peerAddrs(peerId: string): Promise<string[]>;
  /** Every known peer other than this node, with its addresses. */
  addressBook(): Promise<PeerAddrs[]>;

  /**
   * Queues one Raft message for a peer, dialling it if needed. Returns false when the message
   * was dropped (queue full, or the peer unreachable recently). Throws PAYLOAD_TOO_LARGE past
   * raftFrameBytesMax.
   */
  sendRaft(peerId: string, bytes: Uint8Array): boolean;
  /** Raft messages from every peer, in the order each peer sent them. */
  onRaftMessage(cb: RaftMessageHandler): Unsubscribe;

  /** One request on `/cairn/rpc/<name>/1.0.0`; rejects with the handler's CairnError, or UNREACHABLE. */
  request(peerId: string, protocolName: string, bytes: Uint8Array, opts: RequestOptions): Promise<Uint8Array>;
  /** Serves `/cairn/rpc/<name>/1.0.0`; a thrown CairnError reaches the caller with its code. */
  handle(protocolName: string, handler: RequestHandler): Promise<void>;

  /** Publishes to every subscribed peer (not to this node's own subscribers unless they asked). */
  publish(topic: string, bytes: Uint8Array): Promise<void>;
  subscribe(topic: string, cb: GossipHandler, opts?: SubscribeOptions): Unsubscribe;
  /** Connected peers known to subscribe to `topic` (a publish reaches at least these). */
  topicPeers(topic: string): string[];

  stats(): NetworkStats;
}
