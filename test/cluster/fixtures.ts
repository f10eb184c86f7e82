/** Test helpers: a harness that applies commands like a committed log. */
import { expect } from 'vitest';
import type { ApplyOutcome, ClusterState, Command, Effect, JobRecord, RunSubmittedCommand } from '../../src/cluster/index.js';
import { applyCommand, canonicalJson, emptyState, schedule } from '../../src/cluster/index.js';
import type { Plan } from '../../src/pipeline/types.js';

import { freezeRecords } from './plans.js';

export { plan, spec } from './plans.js';

/** Applies commands as consecutive committed entries, 10 ms apart unless told otherwise. */
export class Harness {
  state: ClusterState = emptyState();
  index = 0;
  timeMs = 1_700_000_000_000;
  effects: Effect[] = [];
  log: Array<{ cmd: Command; meta: { index: number; term: number; timeMs: number } }> = [];

  apply(cmd: Command, dtMs = 10): ApplyOutcome {
    this.index += 1;
    this.timeMs += dtMs;
    const meta = { index: this.index, term: 1, timeMs: this.timeMs };
    this.log.push({ cmd, meta });
    const out = applyCommand(this.state, cmd, meta);
    this.state = out.state;
    freezeRecords(this.state);
    this.effects.push(...out.effects);
    return out;
  }

  ok(cmd: Command, dtMs = 10): ApplyOutcome {
    const out = this.apply(cmd, dtMs);
    expect(out.result, JSON.stringify(cmd)).toMatchObject({ ok: true });
    return out;
  }

  refused(cmd: Command, reason?: string): ApplyOutcome & { result: { ok: false } } {
    // applyCommand consumes its input, so remember the old state as text.
    const before = canonicalJson({ ...this.state, appliedIndex: 0, clockMs: 0 });
    const out = this.apply(cmd);
    expect(out.result.ok, JSON.stringify(cmd)).toBe(false);
    if (reason !== undefined && !out.result.ok) expect(out.result.data.reason ?? out.result.code).toBe(reason);
    expect(out.effects).toEqual([]);
    // Only the applied index and the clock move on a refusal.
    expect(canonicalJson({ ...out.state, appliedIndex: 0, clockMs: 0 })).toBe(before);
    return out as ApplyOutcome & { result: { ok: false } };
  }

  join(node: string, labels: string[] = [], slots = 2, bootId = 'b1'): void {
    this.ok({ kind: 'NodeJoined', node, id: `peer-${node}`, bootId, addrs: [`/ip4/127.0.0.1/tcp/${4000 + this.index}`], os: 'linux', arch: 'x64', labels, slots });
  }

  submit(p: Plan, extra: Partial<RunSubmittedCommand> = {}): { run: string; jobs: string[] } {
    const out = this.ok({ kind: 'RunSubmitted', plan: p, ...extra });
    if (!out.result.ok || out.result.run === undefined) throw new Error('no run');
    return { run: out.result.run.id, jobs: out.result.run.jobs };
  }

  /** How many effects schedule() has looked at. */
  private placementsSeen = 0;

  /**
   * The placements made since the last call: the state machine places on apply, in the entry
   * that made a job placeable, so nothing is left for a separate pass (checked: it proposes none).
   */
  schedule(): Array<{ job: string; node: string }> {
    expect(schedule(this.state)).toEqual([]);
    const placed = this.effects.slice(this.placementsSeen).filter((e) => e.kind === 'start-attempt');
    this.placementsSeen = this.effects.length;
    return placed.map((e) => ({ job: e.job, node: e.node }));
  }

  job(id: string): JobRecord {
    const j = this.state.jobs[id];
    if (j === undefined) throw new Error(`no job ${id}`);
    return j;
  }

  /** Starts and finishes the job's current attempt on its node. */
  finish(id: string, status: 'succeeded' | 'failed' | 'cancelled' | 'skipped' = 'succeeded', extra: { outputs?: Record<string, string>; exitCode?: number } = {}): void {
    const j = this.job(id);
    const a = j.attempts[j.attempts.length - 1]!;
    if (a.state === 'placed') this.ok({ kind: 'AttemptStarted', job: id, attempt: a.n, node: a.node });
    this.ok({ kind: 'AttemptFinished', job: id, attempt: a.n, node: a.node, status, exitCode: extra.exitCode ?? (status === 'succeeded' ? 0 : 1), outputs: extra.outputs ?? {}, logDigest: `sha256:${id}-${a.n}` });
  }

  effectsOf<K extends Effect['kind']>(kind: K): Array<Extract<Effect, { kind: K }>> {
    return this.effects.filter((e): e is Extract<Effect, { kind: K }> => e.kind === kind);
  }
}
