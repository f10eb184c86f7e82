import { expect, it } from 'vitest';
import * as m from '../../src/logstore/index.js';

it('pins the public exports of src/logstore', () => {
  expect(Object.keys(m).sort()).toEqual([
    'EventBus',
    'LogFollower',
    'LogPublisher',
    'LogReader',
    'LogService',
    'LogStore',
    'LogWriter',
    'compressLog',
    'defaultFollowTiming',
    'defaultRetention',
    'eventsTopic',
    'followQueueBytesMax',
    'followerProbeMs',
    'gapRepairDelayMs',
    'gossipCompressionLevel',
    'logPaths',
    'logRangeProtocol',
    'logsTopic',
    'publishQueueBytesMax',
    'restCompressionLevel',
    'retentionAgeMsDefault',
    'retentionBytesMaxDefault',
    'retentionSweepMs',
    'serveLogRanges',
    'sweepLogs',
    'zstdCompressor',
    'zstdDecompress',
  ]);
});
