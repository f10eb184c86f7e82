import { expect, it } from 'vitest';
import * as cluster from '../../src/cluster/index.js';

// Pins the public surface: the daemon, the store and the API build on these names.
it('exports exactly the public API of the cluster state', () => {
  expect(Object.keys(cluster).sort()).toEqual([
    'applyAll', 'applyCommand', 'applyEntry', 'attemptReportsMax', 'canonicalJson', 'cloneState', 'clusterStatusView', 'commandKinds', 'configKeys',
    'decodeCommand', 'decodeState', 'defaultConfig', 'defaultLeaseMs', 'defaultMaxVoters', 'defaultRetryPolicy', 'emptyState',
    'encodeCommand', 'encodeState', 'finishedJobsRetainedMax', 'isJobState', 'jobOutputsBytesMax', 'jobStates', 'jobStatusView',
    'jobsView', 'leaseExpired', 'leaseMsMax', 'leaseMsMin', 'nameRe', 'needsContext', 'needsGate', 'nodeAddrsMax', 'nodeSlotsMax',
    'nodeViews', 'openJobsMax', 'pipelineTextBytesMax', 'readyJobs', 'reasonLengthMax', 'retryMaxLimit', 'runJobsMax', 'schedule',
    'selfFenceDeadlineMs', 'selfFenceLeaseFraction', 'shouldRetry', 'terminalJobStates', 'validateCommand', 'validateConfig', 'whyWaiting',
  ]);
});
