/**
 * Defaults and limits of the network module. Every queue, frame and retry loop has a named
 * maximum here, with the reason for its value.
 */

const KiB = 1024;
const MiB = 1024 * KiB;

/** Listen on loopback with a kernel-chosen port unless told otherwise: safe for tests and one-machine clusters. */
export const defaultListenAddrs: readonly string[] = ['/ip4/127.0.0.1/tcp/0'];

/**
 * Hosts exempt from libp2p's inbound connection rate limit (5 per second per host by default).
 * Without loopback here, several nodes on one machine redialling each other get their dials reset.
 */
export const defaultAllowAddrs: readonly string[] = ['/ip4/127.0.0.0/ipcidr/8', '/ip6/::1/ipcidr/128'];

/** Raft messages travel on this protocol: one long-lived outbound stream per peer. */
export const raftProtocol = '/cairn/raft/1.0.0';

/** Request/response protocols are `/cairn/rpc/<name>/1.0.0`. */
export const rpcProtocolPrefix = '/cairn/rpc/';
export const rpcProtocolVersion = '/1.0.0';

/** Largest Raft frame: a snapshot chunk must fit, and a larger frame is refused with a clear error. */
export const raftFrameBytesMax = 8 * MiB;

/** Frames waiting for one peer's stream; past this Raft messages are dropped (Raft tolerates loss). */
export const raftQueueFramesMax = 1024;

/** Bytes waiting for one peer's stream; two snapshot-sized frames plus the usual small traffic. */
export const raftQueueBytesMax = 2 * raftFrameBytesMax + 4 * MiB;

/** Small frames are coalesced into one write up to this size, so each write pays encryption once. */
export const raftWriteBatchBytesMax = 64 * KiB;

/** Opening the Raft stream (dial included) may take this long before the frames queued for it are dropped. */
export const raftOpenTimeoutMs = 5_000;

/** After a failed open, sends to that peer are dropped for this long, doubling up to the max. */
export const raftReopenBackoffMinMs = 50;
export const raftReopenBackoffMaxMs = 1_000;

/** Inbound Raft streams per connection: one in use, a few more while a failed one is replaced. */
export const raftInboundStreamsMax = 8;

/** Request and response bodies: a forwarded API write or a range of log entries. */
export const rpcRequestBytesMax = 8 * MiB;
export const rpcResponseBytesMax = 16 * MiB;

/** A handler gets this long to receive the request body before the stream is dropped. */
export const rpcRequestReadTimeoutMs = 10_000;

/** Concurrent request streams per connection and protocol (API writes forwarded to the leader). */
export const rpcStreamsMax = 256;

/** A gossip message (a compressed log chunk) may be at most this large. */
export const gossipMessageBytesMax = 1 * MiB;

/** Room for the gossipsub envelope (topic, protobuf framing) and cairn's (origin, sequence number) around a message. */
export const gossipEnvelopeBytesMax = 16 * KiB;

/** Gossipsub heartbeat: a small cluster wants its mesh formed quickly, not bandwidth thrift. */
export const gossipHeartbeatMs = 200;

/** Redialling a join address that is not connected: bounded exponential backoff. */
export const joinRedialMinMs = 100;
export const joinRedialMaxMs = 2_000;

/** One dial attempt (TCP, pnet, noise, yamux) may take this long. */
export const dialTimeoutMs = 5_000;

/**
 * Connections are pinged this often; a ping that fails aborts the connection, which is how a
 * silent partition (no TCP close) is noticed. A crashed process is noticed at once by TCP.
 */
export const connectionPingIntervalMs = 5_000;

/** The pnet nonce exchange must finish within this time, or the connection is dropped. */
export const pnetHandshakeTimeoutMs = 2_000;

/** Peer key file mode: the identity is a secret. */
export const peerKeyFileMode = 0o600;

/** Cluster key file mode: the key admits a machine to the cluster. */
export const clusterKeyFileMode = 0o600;
