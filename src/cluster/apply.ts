/**
 * applyCommand: the replicated state machine's transition, run on every node for every committed
 * entry. Deterministic: the result depends only on the state, the command and the entry's meta
 * (its time comes from the entry, never from the clock of the node applying it).
 */
import { attemptFinished, attemptReports, attemptStarted, jobPlaced } from './attempt-handlers.js';
import type { Command, CommandKind, CommandOf } from './commands.js';
import { configSet, pipelineAdded, pipelineRemoved, tick } from './config-handlers.js';
import { Draft, refuse } from './draft.js';
import type { CommandResult, Effect } from './effects.js';
import { nodeDown, nodeDraining, nodeHeartbeat, nodeJoined, nodeLabelsSet, nodeRemoved, nodeRoleSet } from './node-handlers.js';
import { jobCancelled, runSubmitted } from './run-handlers.js';
import { schedule } from './schedule.js';
import { pruneFinished } from './state.js';
import { assert } from '../util/errors.js';
import type { ApplyMeta, ClusterState } from './types.js';

type Handler<K extends CommandKind> = (d: Draft, c: CommandOf<K>) => CommandResult;

/** One handler per kind: a kind added to Command without a handler does not compile. */
const handlers: { [K in CommandKind]: Handler<K> } = {
  NodeJoined: nodeJoined,
  NodeHeartbeat: nodeHeartbeat,
  NodeLabelsSet: nodeLabelsSet,
  NodeDraining: nodeDraining,
  NodeRoleSet: nodeRoleSet,
  NodeDown: nodeDown,
  NodeRemoved: nodeRemoved,
  RunSubmitted: runSubmitted,
  JobPlaced: jobPlaced,
  AttemptStarted: attemptStarted,
  AttemptFinished: attemptFinished,
  AttemptReports: attemptReports,
  JobCancelled: jobCancelled,
  PipelineAdded: pipelineAdded,
  PipelineRemoved: pipelineRemoved,
  ConfigSet: configSet,
  Tick: tick,
};

export interface ApplyOutcome {
  state: ClusterState;
  effects: Effect[];
  result: CommandResult;
}

/**
 * Applies one committed command. A refused command changes nothing but the applied index and
 * the clock, and has no effects; its result says why. An entry at or below the applied index
 * (replayed after a snapshot) is ignored.
 *
 * Ownership: the state passed in is consumed. Its record maps are updated in place (records are
 * replaced, never modified), so keep using the returned state; take cloneState() first to keep
 * a stable view of the old one.
 */
export function applyCommand(state: ClusterState, cmd: Command, meta: ApplyMeta): ApplyOutcome {
  if (meta.index <= state.appliedIndex) {
    return { state, effects: [], result: refuse('CONFLICT', `entry ${meta.index} was already applied`, { index: meta.index, reason: 'already-applied' }) };
  }
  const d = new Draft(state, meta);
  const handler = Object.hasOwn(handlers, cmd.kind) ? (handlers[cmd.kind] as Handler<CommandKind>) : undefined;
  const result = handler === undefined
    ? refuse('INVALID_INPUT', `unknown command kind ${String(cmd.kind)}`, { kind: String(cmd.kind) })
    : handler(d, cmd as never);
  if (!result.ok) {
    assert(!d.dirty, `${cmd.kind} refused after writing: handlers must decide before they write`);
    return { state: { ...state, appliedIndex: meta.index, clockMs: d.now }, effects: [], result };
  }
  placeReady(d);
  if (d.effects.some((e) => e.kind === 'event' && e.event.type === 'run' && e.event.state !== 'running')) pruneFinished(d);
  return { state: d.state, effects: d.effects, result };
}

/**
 * Placement happens in the state machine, in the same entry that made a job placeable (its
 * submission, a freed slot, a node coming up): every node computes the same placements from the
 * same state, so a job starts one Raft round after its submit instead of two (the leader used
 * to propose each placement as an entry of its own). The scheduler is pure and deterministic;
 * JobPlaced stays a command for logs written before, and it re-checks everything on apply.
 */
function placeReady(d: Draft): void {
  for (const cmd of schedule(d.state)) {
    const placed = jobPlaced(d, cmd);
    assert(placed.ok, `the scheduler's own placement was refused: ${placed.ok ? '' : placed.message}`);
  }
}

/** Applies commands in order from consecutive indexes; a convenience for tests and replays. */
export function applyAll(state: ClusterState, cmds: ReadonlyArray<{ cmd: Command; meta: ApplyMeta }>): { state: ClusterState; effects: Effect[]; results: CommandResult[] } {
  let s = state;
  const effects: Effect[] = [];
  const results: CommandResult[] = [];
  for (const { cmd, meta } of cmds) {
    const out = applyCommand(s, cmd, meta);
    s = out.state;
    effects.push(...out.effects);
    results.push(out.result);
  }
  return { state: s, effects, results };
}
