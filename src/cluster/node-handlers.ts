/** Handlers of the node commands: join, heartbeat, labels, drain, role, down, removal. */
import { CairnError } from '../util/errors.js';
import { effectiveLabels } from '../scheduler/index.js';
import type { CommandOf } from './commands.js';
import { nameRe, nodeAddrsMax, nodeSlotsMax, reasonLengthMax } from './constants.js';
import type { Draft } from './draft.js';
import { accepted, refuse } from './draft.js';
import type { CommandResult } from './effects.js';
import { activeAttempt, loseAttempt, settleRun } from './lifecycle.js';
import type { NodeRecord } from './types.js';

function labelsOrRefusal(node: string, os: string, arch: string, labels: readonly string[]): string[] | CommandResult {
  try {
    return effectiveLabels({ name: node, os, arch, labels });
  } catch (e) {
    if (e instanceof CairnError) return refuse(e.code, e.message, { node });
    throw e;
  }
}

function validSlots(slots: number): boolean {
  return Number.isInteger(slots) && slots >= 1 && slots <= nodeSlotsMax;
}

function unknownNode(node: string): CommandResult {
  return refuse('NOT_FOUND', `no node named ${node}`, { node });
}

/** Loses every active attempt on a node and settles the runs involved. */
function loseAttemptsOn(d: Draft, node: string, why: string): void {
  const runs = new Set<string>();
  for (const snapshot of Object.values(d.state.jobs)) {
    // Re-read: losing one attempt can end others (a fail-fast matrix cancels its siblings).
    const job = d.job(snapshot.id);
    const a = job === undefined ? undefined : activeAttempt(job);
    if (job !== undefined && a !== undefined && a.node === node) {
      loseAttempt(d, job.id, why);
      runs.add(job.run);
    }
  }
  for (const r of runs) settleRun(d, r);
}

export function nodeJoined(d: Draft, c: CommandOf<'NodeJoined'>): CommandResult {
  if (!nameRe.test(c.node)) return refuse('INVALID_INPUT', `node name "${c.node}" may use letters, digits, . _ - (up to 63)`, { node: c.node });
  if (!validSlots(c.slots)) return refuse('INVALID_INPUT', `slots must be a whole number from 1 to ${nodeSlotsMax}`, { node: c.node, slots: c.slots });
  if (c.addrs.length > nodeAddrsMax) return refuse('INVALID_INPUT', `a node advertises at most ${nodeAddrsMax} addresses`, { node: c.node });
  const labels = labelsOrRefusal(c.node, c.os, c.arch, c.labels);
  if (!Array.isArray(labels)) return labels;
  const old = d.node(c.node);
  const record: NodeRecord = {
    name: c.node,
    id: c.id,
    addrs: [...c.addrs],
    api: c.api ?? null,
    os: c.os,
    arch: c.arch,
    userLabels: [...c.labels],
    labels,
    slots: c.slots,
    running: old?.running ?? 0,
    state: 'up',
    draining: old !== undefined && old.bootId === c.bootId ? old.draining : false,
    role: old?.role ?? c.role ?? 'learner',
    joinedAtMs: old !== undefined && old.bootId === c.bootId ? old.joinedAtMs : d.now,
    lastHeartbeatMs: d.now,
    downReason: null,
    bootId: c.bootId,
  };
  d.putNode(record);
  // A new boot means the old process and its children are gone: its attempts are lost.
  if (old !== undefined && old.bootId !== c.bootId) loseAttemptsOn(d, c.node, `node ${c.node} restarted`);
  d.event({ type: 'node', node: c.node, state: 'up', draining: false, reason: old === undefined ? 'joined' : 'rejoined' });
  return accepted;
}

export function nodeHeartbeat(d: Draft, c: CommandOf<'NodeHeartbeat'>): CommandResult {
  const n = d.node(c.node);
  if (n === undefined) return unknownNode(c.node);
  d.putNode({ ...n, lastHeartbeatMs: d.now, state: 'up', downReason: null });
  if (n.state === 'down') d.event({ type: 'node', node: n.name, state: 'up', draining: n.draining, reason: 'heartbeat after being down' });
  return accepted;
}

export function nodeLabelsSet(d: Draft, c: CommandOf<'NodeLabelsSet'>): CommandResult {
  const n = d.node(c.node);
  if (n === undefined) return unknownNode(c.node);
  if (c.slots !== undefined && !validSlots(c.slots)) return refuse('INVALID_INPUT', `slots must be a whole number from 1 to ${nodeSlotsMax}`, { node: c.node, slots: c.slots });
  const labels = labelsOrRefusal(c.node, n.os, n.arch, c.labels);
  if (!Array.isArray(labels)) return labels;
  // Fewer slots than running attempts is allowed: the node takes no more until it is below.
  d.putNode({ ...n, userLabels: [...c.labels], labels, slots: c.slots ?? n.slots });
  return accepted;
}

export function nodeDraining(d: Draft, c: CommandOf<'NodeDraining'>): CommandResult {
  const n = d.node(c.node);
  if (n === undefined) return unknownNode(c.node);
  d.putNode({ ...n, draining: c.draining });
  d.event({ type: 'node', node: n.name, state: n.state, draining: c.draining, reason: c.draining ? 'draining' : 'drain ended' });
  return accepted;
}

export function nodeRoleSet(d: Draft, c: CommandOf<'NodeRoleSet'>): CommandResult {
  const n = d.node(c.node);
  if (n === undefined) return unknownNode(c.node);
  d.putNode({ ...n, role: c.role });
  return accepted;
}

export function nodeDown(d: Draft, c: CommandOf<'NodeDown'>): CommandResult {
  const n = d.node(c.node);
  if (n === undefined) return unknownNode(c.node);
  if (n.state === 'down') return refuse('CONFLICT', `node ${c.node} is already down`, { node: c.node, reason: 'already-down' });
  if (c.ifLastHeartbeatMs !== undefined && c.ifLastHeartbeatMs !== n.lastHeartbeatMs) {
    return refuse('CONFLICT', `node ${c.node} heartbeat since the lease check`, { node: c.node, reason: 'heartbeat-since' });
  }
  const reason = c.reason.slice(0, reasonLengthMax);
  d.putNode({ ...n, state: 'down', downReason: reason });
  d.event({ type: 'node', node: n.name, state: 'down', draining: n.draining, reason });
  loseAttemptsOn(d, c.node, `node ${c.node} down (${reason})`);
  return accepted;
}

export function nodeRemoved(d: Draft, c: CommandOf<'NodeRemoved'>): CommandResult {
  const n = d.node(c.node);
  if (n === undefined) return unknownNode(c.node);
  if (n.state !== 'down') return refuse('CONFLICT', `node ${c.node} is up; only a down node can be removed`, { node: c.node, reason: 'node-up' });
  d.deleteNode(c.node);
  d.event({ type: 'node', node: n.name, state: 'removed', draining: n.draining, reason: null });
  return accepted;
}
