/**
 * Front door of the REPL's client layer: the session (connection to the cluster that follows
 * the leader and reattaches, polling, the event stream, log follows, commands, prompt) and the view model the
 * ink components in repl/ render. No React here.
 */
export { createReplSession, initialReplState, type ReplSession, type ReplSessionInit } from './session.js';
export { ClusterConnection, isUnreachable, type ClusterConnectionInit, type ConnectionEvent, type Member, type AttachReason } from './cluster-connection.js';
export { createStore, keepLast, type Store, type Listener } from './store.js';
export { parseCommand, splitWords, type ReplCommand, type ParseResult } from './command-parser.js';
export { commandTable, commandNames, helpEntries, type CommandName, type CommandSpec } from './command-table.js';
export { complete, type CompletionSources, type CompletionResult } from './completion.js';
export { LineEditor, type KeyInput } from './line-editor.js';
export { diffSnapshots, type ClusterSnapshot } from './event-diff.js';
export { createPollingEventSource, type ReplEventSource } from './event-source.js';
export { createStreamingEventSource, type StreamingEventSource, type StreamingEventSourceInit, type EventStreamMode } from './event-stream-source.js';
export { parseStreamedEvent, replEventOf, type EventViewContext } from './event-view.js';
export { trackStep, closeSteps } from './step-tracker.js';
export { LineSplitter, displayLine } from './log-lines.js';
export { stripAnsi, keepColours } from './ansi.js';
export { LogFollower, type LogFollowerInit } from './log-follower.js';
export { parseCluster, parseJobRow, parseJobStatus, parseHistoryRow, parseNode, terminalJobStates } from './parse-views.js';
export type * from './types.js';
