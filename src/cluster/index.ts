/**
 * Front door of the replicated cluster state (pure: no I/O, no clock). Every node applies the
 * committed Raft log with applyCommand (or applyEntry for raw bytes), which also places the jobs
 * each entry makes placeable (schedule()); the leader runs leaseExpired() and proposes what it returns. Views give SPEC.md's shapes.
 */
export type {
  AttemptRecord, AttemptState, ApplyMeta, ClusterConfig, ClusterState, JobRecord, JobResult, JobState, NodeRecord, NodeRole,
  RegisteredPipeline, RunRecord, RunSource, RunState,
} from './types.js';
export { jobStates, terminalJobStates } from './types.js';
export type {
  AttemptFinishedCommand, AttemptReport, AttemptReportsCommand, AttemptStartedCommand, AttemptStatus, Command, CommandKind, CommandOf, ConfigSetCommand, JobCancelledCommand,
  JobPlacedCommand, NodeDownCommand, NodeDrainingCommand, NodeHeartbeatCommand, NodeJoinedCommand, NodeLabelsSetCommand, NodeRemovedCommand,
  NodeRoleSetCommand, PipelineAddedCommand, PipelineRemovedCommand, RunSubmittedCommand, TickCommand,
} from './commands.js';
export type {
  ClusterEvent, CommandResult, ConfigChange, ConfigEffect, Effect, EventEffect, HistoryEffect, HistoryRecord, NeedsContext, StartAttemptEffect,
  StopAttemptEffect,
} from './effects.js';
export * from './constants.js';
export { configKeys, defaultConfig, validateConfig } from './config.js';
export { cloneState, emptyState } from './state.js';
export type { ApplyOutcome } from './apply.js';
export { applyAll, applyCommand } from './apply.js';
export { applyEntry, canonicalJson, commandKinds, decodeCommand, decodeState, encodeCommand, encodeState, validateCommand } from './codec.js';
export { nodeViews, readyJobs, schedule } from './schedule.js';
export type { LeaseCheckOptions } from './lease.js';
export { leaseExpired, selfFenceDeadlineMs, selfFenceLeaseFraction } from './lease.js';
export { needsContext, needsGate } from './needs.js';
export type { Gate } from './needs.js';
export { shouldRetry } from './retry.js';
export type { AttemptView, ClusterStatusView, JobRowView, JobStatusView, NodeStatusView, RaftInfo } from './views.js';
export { clusterStatusView, isJobState, jobStatusView, jobsView, whyWaiting } from './views.js';
