import { CairnError } from '../util/errors.js';
import type { ClusterAccess } from './cluster-access.js';
import { eventPollMs, knownJobsMax, vanishedLookupsMax } from './constants.js';
import type { ChatEvent, EventSource } from './event-source.js';
import type { ChatLog, Timers } from './types.js';
import { systemTimers } from './types.js';
import { JobOutcomes, remember } from './job-outcomes.js';
import { failedStates, terminalStates, toJobInfo, toJobRows, type JobRow } from './views.js';

export interface PollEventSourceInit {
  cluster: ClusterAccess;
  intervalMs?: number;
  timers?: Timers;
  log?: ChatLog;
  /** Called after each successful poll (a health signal; tests wait on it for the baseline). */
  onPolled?: () => void;
}

/** Bounded map: insertion order, the oldest entry goes first. */
export { remember };

export function createPollEventSource(init: PollEventSourceInit): EventSource {
  const timers = init.timers ?? systemTimers;
  const intervalMs = init.intervalMs ?? eventPollMs;
  const log = init.log ?? (() => {});
  /** Last row seen per job id. */
  const known = new Map<string, JobRow>();
  /** Runs already reported ended (or ended at the baseline). */
  const endedRuns = new Map<string, true>();
  /** Last outcome per pipeline/job name, for "fixed". */
  const outcomes = new JobOutcomes();
  let listener: ((e: ChatEvent) => void) | null = null;
  let timer: unknown = null;
  let inFlight: Promise<void> | null = null;
  let baselined = false;
  let stopped = false;
  let failing = false;

  const seed = (): Promise<void> => outcomes.seed(init.cluster);
  const jobEvent = (job: JobRow): ChatEvent | null => outcomes.eventOf(job);

  async function poll(): Promise<ChatEvent[]> {
    if (!baselined) await seed();
    const rows = toJobRows(await init.cluster.read((c) => c.jobs()));
    const events: ChatEvent[] = [];
    const seen = new Set<string>();
    const endedNow: JobRow[] = [];
    for (const row of rows) {
      seen.add(row.id);
      const before = known.get(row.id);
      remember(known, row.id, row, knownJobsMax);
      const ended = terminalStates.has(row.state);
      if (!baselined && ended) jobEvent(row); // the baseline's outcomes count for "fixed", silently
      if (!baselined || !ended) continue;
      if (before === undefined || !terminalStates.has(before.state)) endedNow.push(row);
    }
    // Jobs that left the listing before we saw them end: ask for each (bounded per poll).
    const vanished = [...known.values()].filter((j) => !seen.has(j.id) && !terminalStates.has(j.state)).slice(0, vanishedLookupsMax);
    for (const j of vanished) {
      try {
        const info = toJobInfo(await init.cluster.read((c) => c.job(j.id)));
        const row: JobRow = { ...j, state: info.state, node: info.node ?? j.node, reason: info.reason };
        remember(known, j.id, row, knownJobsMax);
        if (terminalStates.has(row.state)) endedNow.push(row);
      } catch (err) {
        if (err instanceof CairnError && err.code === 'NOT_FOUND') known.delete(j.id);
        else throw err;
      }
    }
    for (const row of endedNow) {
      const e = jobEvent(row);
      if (e !== null) events.push(e);
    }
    events.push(...(await runEnds(rows)));
    baselined = true;
    return events;
  }

  /** Runs whose jobs have all ended, not reported before; the run's own view gives its result. */
  async function runEnds(rows: JobRow[]): Promise<ChatEvent[]> {
    const byRun = new Map<string, JobRow[]>();
    for (const r of rows) byRun.set(r.run, [...(byRun.get(r.run) ?? []), r]);
    const out: ChatEvent[] = [];
    for (const [run, jobs] of byRun) {
      if (endedRuns.has(run) || !jobs.every((j) => terminalStates.has(j.state))) continue;
      remember(endedRuns, run, true, knownJobsMax);
      if (!baselined) continue;
      const derived = jobs.find((j) => failedStates.has(j.state))?.state ?? (jobs.some((j) => j.state === 'cancelled') ? 'cancelled' : 'succeeded');
      let state = derived;
      let reason: string | null = jobs.find((j) => j.state !== 'succeeded')?.reason ?? null;
      try {
        const info = toJobInfo(await init.cluster.read((c) => c.job(run)));
        if (terminalStates.has(info.state)) state = info.state;
        reason = info.reason ?? reason;
      } catch {
        // The run's view is a nicety; the jobs already tell how it ended.
      }
      out.push({ type: 'run-ended', run, pipeline: jobs[0]!.pipeline, state, reason });
    }
    return out;
  }

  function schedule(): void {
    if (stopped) return;
    timer = timers.setTimeout(() => {
      timer = null;
      inFlight = tick().finally(() => {
        inFlight = null;
        schedule();
      });
    }, baselined ? intervalMs : 0);
  }

  async function tick(): Promise<void> {
    try {
      const events = await poll();
      if (failing) log('info', 'cluster reachable again; events resume');
      failing = false;
      for (const e of events) if (!stopped) listener?.(e);
      init.onPolled?.();
    } catch (err) {
      if (!failing) log('warn', `cannot poll the cluster for events: ${(err as Error).message}`);
      failing = true;
    }
  }

  return {
    start(l) {
      listener = l;
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
      await inFlight;
    },
  };
}
