import { expect, it } from 'vitest';
import * as net from '../../src/net/index.js';

it('pins the public exports of src/net', () => {
  expect(Object.keys(net).sort()).toEqual([
    'clusterKeyFileMode',
    'createNetwork',
    'generateClusterKey',
    'gossipMessageBytesMax',
    'loadOrCreatePeerKey',
    'parseClusterKey',
    'peerKeyFileMode',
    'raftFrameBytesMax',
    'raftProtocol',
    'raftQueueBytesMax',
    'raftQueueFramesMax',
    'readClusterKey',
    'rpcProtocol',
    'rpcRequestBytesMax',
    'rpcResponseBytesMax',
  ]);
});
