import type { FollowView, StepRow } from '../../src/repl-client/index.js';
import { cell, formatDuration, spinnerFrame, stateIcons, stateTone } from '../format.js';
import type { Theme } from '../theme.js';
import { Rows, titleRow } from './rows.js';

/** Step names are cut here so durations line up. */
const stepNameCharsMax = 40;

function stepRow(s: StepRow, theme: Theme, now: number, nameWidth: number): string {
  const running = s.state === 'running';
  const icon = running ? theme.paint('info', spinnerFrame(now)) : theme.tone(stateTone(s.state), stateIcons[s.state] ?? '·');
  const took = running ? (s.startedAt === null ? '' : formatDuration(now - s.startedAt)) : s.durationMs === null || s.state === 'skipped' ? '' : formatDuration(s.durationMs);
  const name = running ? theme.paint('bold', cell(s.name, nameWidth)) : cell(s.name, nameWidth);
  const detail = s.detail === null ? '' : ` ${theme.tone(stateTone(s.state), s.detail)}`;
  const skipped = s.state === 'skipped' ? theme.paint('muted', ' skipped') : '';
  return `${icon} ${name} ${theme.paint('dim', took.padStart(7))}${skipped}${detail}`;
}

/**
 * A followed job's steps as rows: status icons, durations, a spinner on the running step.
 * When they do not fit, the first steps give way and the title counts them.
 */
export function jobStepRows(f: FollowView, theme: Theme, width: number, now: number, maxRows: number): string[] {
  const room = Math.max(0, maxRows - 1);
  const shown = f.steps.slice(Math.max(0, f.steps.length - room));
  const hidden = f.steps.length - shown.length;
  const nameWidth = Math.min(stepNameCharsMax, Math.max(4, ...shown.map((s) => s.name.length)), Math.max(4, width - 12));
  const state = f.state === 'resuming' ? theme.paint('warn', ' · resuming') : f.state === 'failed' ? theme.paint('bad', ` · ${f.error ?? 'failed'}`) : '';
  const title = `${f.job} steps${hidden > 0 ? ` (${hidden} earlier)` : ''}`;
  return [titleRow(title, width, (s) => theme.paint('dim', s)) + state, ...shown.map((s) => stepRow(s, theme, now, nameWidth))];
}

/** A followed job's steps with icons, durations and a spinner. */
export function JobSteps({ follow, theme, width, now, maxRows }: { follow: FollowView; theme: Theme; width: number; now: number; maxRows: number }) {
  return <Rows rows={jobStepRows(follow, theme, width, now, maxRows)} width={width} />;
}
