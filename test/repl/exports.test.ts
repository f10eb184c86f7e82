import { describe, expect, it } from 'vitest';
import * as client from '../../src/repl-client/index.js';
import * as repl from '../../repl/index.js';

/** The public surfaces of the REPL's two folders, pinned: a change here is a deliberate one. */
describe('exports', () => {
  it('src/repl-client', () => {
    expect(Object.keys(client).sort()).toEqual([
      'ClusterConnection', 'LineEditor', 'LineSplitter', 'LogFollower', 'closeSteps', 'commandNames', 'commandTable', 'complete',
      'createPollingEventSource', 'createReplSession', 'createStore', 'createStreamingEventSource', 'diffSnapshots', 'displayLine', 'helpEntries',
      'initialReplState', 'isUnreachable', 'keepColours', 'keepLast', 'parseCluster', 'parseCommand', 'parseHistoryRow', 'parseJobRow',
      'parseJobStatus', 'parseNode', 'parseStreamedEvent', 'replEventOf', 'splitWords', 'stripAnsi', 'terminalJobStates', 'trackStep',
    ]);
  });
  it('repl', () => {
    expect(Object.keys(repl).sort()).toEqual([
      'EventFeed', 'HeaderBar', 'JobSteps', 'JobTable', 'LogTail', 'OutputView', 'PromptLine', 'ReplApp', 'ReplScreen', 'createTheme',
      'eventRows', 'headerRows', 'jobStepRows', 'jobTableRows', 'logTailRows', 'outputRows', 'planLayout', 'promptRows', 'promptText', 'recordTranscript',
      'runPlainRepl', 'runRepl', 'splitTyped', 'stepFollows', 'toKeyInputs',
    ]);
  });
});
