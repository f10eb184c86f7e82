import { expect, it } from 'vitest';
import * as raft from '../../src/raft/index.js';

it('pins the public exports of src/raft', () => {
  expect(Object.keys(raft).sort()).toEqual(
    [
      'MemoryStorage',
      'appendBytesMaxDefault',
      'applyBatchBytesMaxDefault',
      'applyConfChangeTo',
      'confChangeProblem',
      'createRaft',
      'decodeConfChange',
      'decodeMessage',
      'electionTimeoutTicksDefault',
      'emptyHardState',
      'encodeConfChange',
      'encodeMessage',
      'heartbeatIntervalTicksDefault',
      'inflightAppendsMaxDefault',
      'inflightBytesMaxDefault',
      'leaderLostDelayTicksMax',
      'learnerPromotionLagEntriesMaxDefault',
      'messageTypes',
      'pendingReadIndexMax',
      'readIndexQueueMax',
      'uncommittedBytesMaxDefault',
      'wireVersion',
    ].sort(),
  );
});
