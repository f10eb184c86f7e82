import { expect, it } from 'vitest';
import * as scheduler from '../../src/scheduler/index.js';

// Pins the public surface of the scheduler.
it('exports exactly the public API of the scheduler', () => {
  expect(Object.keys(scheduler).sort()).toEqual([
    'assign', 'builtinLabels', 'byAge', 'canEverRun', 'effectiveLabels', 'explain', 'formatLabelTerm', 'formatLabelTerms', 'hasFreeSlot',
    'labelTermLengthMax', 'labelTermsMax', 'labelsListedMax', 'labelsThatExist', 'matches', 'parseLabelTerm', 'parseLabelTerms', 'place',
    'termHolds', 'toNodeLabels', 'unmetTerms', 'unplaceableError',
  ]);
});
