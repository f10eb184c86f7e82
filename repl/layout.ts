import type { FollowView, ReplState } from '../src/repl-client/index.js';

/** Rows each region gets; 0 hides it. */
export interface Layout {
  jobs: number;
  steps: Array<{ follow: FollowView; rows: number }>;
  log: number;
  events: number;
  output: number;
}

/** Natural heights of the regions, as the screen measured them. */
export interface Heights {
  header: number;
  prompt: number;
  output: number;
}

/** Rows a region keeps when space is short, before the next region gets any. */
const minRows = { output: 6, log: 4, steps: 4, jobs: 4, events: 3 } as const;
/** Rows a region may grow to before the log takes the rest. */
const maxRows = { output: 14, steps: 10, jobs: 10, events: 6 } as const;
/** One row stays free: output as tall as the terminal makes it scroll and flicker. */
const spareRows = 1;

/** The follows whose steps are shown: those still open, or else the latest one that has steps. */
export function stepFollows(follows: readonly FollowView[]): FollowView[] {
  const open = follows.filter((f) => (f.state === 'following' || f.state === 'resuming') && f.live);
  if (open.length > 0) return open;
  const last = [...follows].reverse().find((f) => f.steps.length > 0);
  return last === undefined ? [] : [last];
}

/**
 * Shares the terminal's rows between the regions: each region first gets a small minimum (in
 * order of importance: the command's answer, the log, the steps, the jobs, the events), then
 * grows to a cap, and the log takes what is left. Pure, so it is tested without a terminal.
 */
export function planLayout(state: ReplState, heights: Heights, height: number): Layout {
  let free = Math.max(0, height - spareRows - heights.header - heights.prompt);
  const natural = {
    output: heights.output,
    log: state.log.length === 0 && state.follows.length === 0 ? 0 : 1 + state.log.length,
    jobs: state.jobs.length === 0 ? 0 : 2 + state.jobs.length,
    events: state.events.length === 0 ? 0 : 1 + state.events.length,
  };
  const follows = stepFollows(state.follows);
  const steps = follows.map((f) => ({ follow: f, rows: 0, natural: 1 + f.steps.length }));
  const out = { output: 0, log: 0, jobs: 0, events: 0 };
  const give = (want: number): number => {
    const n = Math.max(0, Math.min(want, free));
    free -= n;
    return n;
  };
  out.output = give(Math.min(natural.output, minRows.output));
  out.log = give(Math.min(natural.log, minRows.log));
  for (const s of steps) s.rows = give(Math.min(s.natural, minRows.steps));
  out.jobs = give(Math.min(natural.jobs, minRows.jobs));
  out.events = give(Math.min(natural.events, minRows.events));
  out.output += give(Math.min(natural.output, maxRows.output) - out.output);
  for (const s of steps) s.rows += give(Math.min(s.natural, maxRows.steps) - s.rows);
  out.jobs += give(Math.min(natural.jobs, maxRows.jobs) - out.jobs);
  out.events += give(Math.min(natural.events, maxRows.events) - out.events);
  out.log += give(natural.log - out.log);
  // A region with only its title row says nothing: hide it.
  const shown = (n: number, least: number): number => (n < least ? 0 : n);
  return {
    jobs: shown(out.jobs, 3),
    steps: steps.filter((s) => s.rows >= 2).map((s) => ({ follow: s.follow, rows: s.rows })),
    log: shown(out.log, 2),
    events: shown(out.events, 2),
    output: out.output,
  };
}
