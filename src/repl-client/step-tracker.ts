import { stepsKeptMax } from './constants.js';
import { keepLast } from './store.js';
import type { StepRow, StepState } from './types.js';

/*
 * The job runner (src/exec/step-list.ts) writes one line when a step starts and one when it
 * ends: "▶ NAME", "✓ NAME (1.23 s)", "✗ NAME: why (1.23 s)", "⊘ NAME: cancelled (1.23 s)",
 * "○ NAME (skipped)". The REPL reads a followed job's steps from those lines, so the steps
 * view works on any node that serves the log, with no extra API.
 */

const ended: Record<string, StepState> = { '✓': 'success', '✗': 'failure', '⊘': 'cancelled' };
const durationAtEnd = / \((\d+(?:\.\d+)?) s\)$/;

/**
 * The steps after one more log line (plain text, colours stripped). Returns `steps` itself when
 * the line is not a step line.
 */
export function trackStep(steps: readonly StepRow[], line: string, now: number): readonly StepRow[] {
  const mark = line.slice(0, 1);
  if (line.slice(1, 2) !== ' ') return steps;
  const rest = line.slice(2);
  if (mark === '▶' && rest !== '') {
    return keepLast([...steps, { name: rest, state: 'running', startedAt: now, durationMs: null, detail: null }], stepsKeptMax);
  }
  if (mark === '○' && rest.endsWith(' (skipped)')) {
    const name = rest.slice(0, -' (skipped)'.length);
    return keepLast([...steps, { name, state: 'skipped', startedAt: null, durationMs: 0, detail: null }], stepsKeptMax);
  }
  const state = ended[mark];
  if (state === undefined) return steps;
  const d = durationAtEnd.exec(rest);
  if (d === null) return steps;
  const body = rest.slice(0, d.index);
  // The newest running step whose name the line starts with (a name may itself hold ": ").
  let i = steps.length - 1;
  while (i >= 0 && !(steps[i]!.state === 'running' && (body === steps[i]!.name || body.startsWith(`${steps[i]!.name}: `)))) i--;
  if (i < 0) return steps;
  const step = steps[i]!;
  const detail = body.length > step.name.length ? body.slice(step.name.length + 2) : null;
  const next = [...steps];
  next[i] = { ...step, state, durationMs: Math.round(Number(d[1]) * 1000), detail: state === 'cancelled' ? null : detail };
  return next;
}

/** When a job's log ends, a step still "running" did not report its end (the node was lost). */
export function closeSteps(steps: readonly StepRow[]): readonly StepRow[] {
  if (!steps.some((s) => s.state === 'running')) return steps;
  return steps.map((s) => (s.state === 'running' ? { ...s, state: 'cancelled', detail: 'no end reported' } : s));
}
