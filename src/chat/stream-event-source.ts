import type { ApiClient } from '../api/client.js';
import { CairnError } from '../util/errors.js';
import type { ClusterAccess } from './cluster-access.js';
import { eventLookupRetryMs, eventLookupTries, knownJobsMax, streamRetryMsMax, streamRetryMsMin } from './constants.js';
import type { ChatEvent, EventSource } from './event-source.js';
import { createPollEventSource } from './poll-event-source.js';
import { JobOutcomes, remember } from './job-outcomes.js';
import type { ChatLog, Timers } from './types.js';
import { systemTimers } from './types.js';
import { failedStates, terminalStates, toJobInfo, toJobRows, type JobRow } from './views.js';

export interface StreamEventSourceInit {
  cluster: ClusterAccess;
  timers?: Timers;
  log?: ChatLog;
  /** The poll interval of the fallback used when the cluster has no event stream. */
  pollMs?: number;
  /**
   * Called each time the stream is (re)subscribed and the jobs that ended meanwhile are
   * reported (a health signal; tests wait on it), or after each poll of the fallback.
   */
  onSubscribed?: () => void;
}

/** Event kinds that may end a job (or one attempt of it). */
const endingKinds = new Set(['job-finished', 'job-failed', 'job-cancelled']);

/**
 * Events from the cluster's event bus (`GET /v1/events` on any node): on a job's finishing,
 * failing or cancelling, the job's row is read (the bus only notifies; the state is the truth)
 * and turned into the same ChatEvents as the poller's, then the run's view tells whether the
 * run ended. On each subscription (the first, and after a dropped stream or a leader change,
 * resubscribing with bounded backoff) the job listing is read: the first time as a silent
 * baseline, later to report what ended while no stream was open. A cluster whose API answers
 * NOT_IMPLEMENTED gets the polling source instead.
 */
export function createStreamEventSource(init: StreamEventSourceInit): EventSource {
  const timers = init.timers ?? systemTimers;
  const log = init.log ?? (() => {});
  /** Jobs already reported ended (or ended at the baseline). */
  const endedJobs = new Map<string, true>();
  const endedRuns = new Map<string, true>();
  /** Last outcome per pipeline/job name, for "fixed". */
  const outcomes = new JobOutcomes();
  let listener: ((e: ChatEvent) => void) | null = null;
  let stopped = false;
  let baselined = false;
  let current: AbortController | null = null;
  let loop: Promise<void> | null = null;
  let fallback: EventSource | null = null;
  /** Wakes a backoff pause early when stopping. */
  let wakeSleep: (() => void) | null = null;

  const emit = (e: ChatEvent) => {
    if (!stopped) listener?.(e);
  };

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = timers.setTimeout(() => {
        wakeSleep = null;
        resolve();
      }, ms);
      wakeSleep = () => {
        timers.clearTimeout(t);
        wakeSleep = null;
        resolve();
      };
    });
  }

  const seed = (): Promise<void> => outcomes.seed(init.cluster);
  const jobEvent = (job: JobRow): ChatEvent | null => outcomes.eventOf(job);

  /** Reports a job that ended (once), then its run if that was the run's last job. */
  async function ended(job: JobRow): Promise<void> {
    if (endedJobs.has(job.id) || !terminalStates.has(job.state)) return;
    remember(endedJobs, job.id, true, knownJobsMax);
    const e = jobEvent(job);
    if (e !== null) emit(e);
    await runEnd(job);
  }

  async function runEnd(job: JobRow): Promise<void> {
    if (endedRuns.has(job.run)) return;
    let info;
    try {
      info = toJobInfo(await init.cluster.read((c) => c.job(job.run)));
    } catch (err) {
      if (err instanceof CairnError && err.code === 'NOT_FOUND') return;
      throw err;
    }
    if (endedRuns.has(job.run)) return;
    const jobs = info.jobs.length > 0 ? info.jobs : [{ id: job.id, name: job.name, state: job.state, node: job.node }];
    if (!jobs.every((j) => terminalStates.has(j.state))) return;
    remember(endedRuns, job.run, true, knownJobsMax);
    // Jobs that ended since, whose bus events are still on the way: theirs come before the run's.
    for (const j of jobs) {
      if (endedJobs.has(j.id)) continue;
      const row = await lookup(j.id);
      if (row === null || !terminalStates.has(row.state)) continue;
      remember(endedJobs, row.id, true, knownJobsMax);
      const e = jobEvent(row);
      if (e !== null) emit(e);
    }
    const derived = jobs.find((j) => failedStates.has(j.state))?.state ?? (jobs.some((j) => j.state === 'cancelled') ? 'cancelled' : 'succeeded');
    const state = terminalStates.has(info.state) ? info.state : derived;
    emit({ type: 'run-ended', run: job.run, pipeline: info.pipeline || job.pipeline, state, reason: info.reason ?? (job.state === 'succeeded' ? null : job.reason) });
  }

  /** A job's row from its own view (`GET /v1/jobs/{id}`), or null when it is gone. */
  async function lookup(id: string): Promise<JobRow | null> {
    try {
      const v = await init.cluster.read((c) => c.job(id));
      const info = toJobInfo(v);
      const o = v as { attempt?: unknown };
      const attempt = typeof o.attempt === 'number' ? o.attempt : info.attempts.length;
      return { id: info.id || id, run: info.run, pipeline: info.pipeline, name: info.name, state: info.state, node: info.node, reason: info.reason, attempt, authorEmail: info.authorEmail };
    } catch (err) {
      if (err instanceof CairnError && err.code === 'NOT_FOUND') return null;
      throw err;
    }
  }

  /** One bus event: only the ends of jobs matter to the bot. */
  async function onBusEvent(e: Record<string, unknown>): Promise<void> {
    const id = e.job;
    if (!endingKinds.has(String(e.kind)) || typeof id !== 'string' || endedJobs.has(id)) return;
    const attempt = typeof e.attempt === 'number' ? e.attempt : null;
    for (let i = 0; i < eventLookupTries && !stopped; i++) {
      const row = await lookup(id);
      if (row === null) return;
      if (terminalStates.has(row.state)) return ended(row);
      // A failed attempt followed by a retry: the job goes on, nothing to say yet.
      if (attempt !== null && row.attempt > attempt) return;
      await sleep(eventLookupRetryMs);
    }
  }

  /** After (re)subscribing: the listing is the baseline, or tells what ended while unsubscribed. */
  async function reconcile(): Promise<void> {
    if (!baselined) await seed();
    const rows = toJobRows(await init.cluster.read((c) => c.jobs()));
    if (!baselined) {
      for (const row of rows) {
        if (!terminalStates.has(row.state)) continue;
        remember(endedJobs, row.id, true, knownJobsMax);
        jobEvent(row); // counts for "fixed", silently
      }
      const byRun = new Map<string, JobRow[]>();
      for (const r of rows) byRun.set(r.run, [...(byRun.get(r.run) ?? []), r]);
      for (const [run, jobs] of byRun) if (jobs.every((j) => terminalStates.has(j.state))) remember(endedRuns, run, true, knownJobsMax);
      baselined = true;
      return;
    }
    for (const row of rows) await ended(row);
  }

  /** Opens the stream on whichever node answers; resolves once it said `subscribed`. */
  async function subscribe(signal: AbortSignal): Promise<AsyncGenerator<Record<string, unknown>>> {
    return init.cluster.read(async (c: ApiClient) => {
      // Once stopping, a plain Error: the access must not retry other nodes for an aborted fetch.
      const stoppedErr = () => new Error('event source stopped');
      if (signal.aborted) throw stoppedErr();
      try {
        const it = c.events(signal);
        const first = await it.next();
        if (first.done) throw new CairnError('UNREACHABLE', 'the event stream ended at once');
        return it;
      } catch (err) {
        if (signal.aborted) throw stoppedErr();
        throw err;
      }
    });
  }

  async function run(): Promise<void> {
    let pause = streamRetryMsMin;
    let failing = false;
    while (!stopped) {
      const ac = new AbortController();
      current = ac;
      try {
        const it = await subscribe(ac.signal);
        await reconcile();
        if (failing) log('info', 'event stream back; events resume');
        failing = false;
        pause = streamRetryMsMin;
        init.onSubscribed?.();
        for await (const e of it) {
          if (stopped) break;
          // A new leader publishes from now on; what the old one had not sent is found by
          // resubscribing, which reads the listing again.
          if (e.kind === 'leader-changed') break;
          await onBusEvent(e);
          // Stopped meanwhile: the abort may not reach a stream nobody was reading.
          if (stopped) break;
        }
      } catch (err) {
        if (stopped) break;
        if (err instanceof CairnError && err.code === 'NOT_IMPLEMENTED') {
          log('info', 'the cluster has no event stream; polling for events');
          fallback = createPollEventSource({
            cluster: init.cluster,
            log,
            ...(init.timers === undefined ? {} : { timers: init.timers }),
            ...(init.pollMs === undefined ? {} : { intervalMs: init.pollMs }),
            ...(init.onSubscribed === undefined ? {} : { onPolled: init.onSubscribed }),
          });
          fallback.start(emit);
          return;
        }
        if (!failing) log('warn', `event stream lost: ${(err as Error).message}; resubscribing`);
        failing = true;
      } finally {
        ac.abort();
        current = null;
      }
      if (stopped) break;
      await sleep(pause);
      pause = Math.min(pause * 2, streamRetryMsMax);
    }
  }

  return {
    start(l) {
      listener = l;
      loop = run().catch((err: unknown) => log('error', `event stream stopped: ${(err as Error).message}`));
    },
    async stop() {
      stopped = true;
      current?.abort();
      wakeSleep?.();
      await loop;
      await fallback?.stop();
    },
  };
}
