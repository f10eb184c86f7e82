/**
 * The network module: the one place cairn touches libp2p. Everything else sees peer ids and
 * multiaddrs as strings, and Raft frames, requests and gossip as bytes.
 */
export { createNetwork } from './create-network.js';
export { generateClusterKey, parseClusterKey, readClusterKey } from './cluster-key.js';
export { loadOrCreatePeerKey } from './peer-identity.js';
export {
  raftProtocol,
  raftFrameBytesMax,
  raftQueueFramesMax,
  raftQueueBytesMax,
  rpcRequestBytesMax,
  rpcResponseBytesMax,
  gossipMessageBytesMax,
  clusterKeyFileMode,
  peerKeyFileMode,
} from './constants.js';
export { rpcProtocol } from './rpc.js';
export type {
  GossipHandler,
  Network,
  NetworkFaults,
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
