import type { SubmitRequest } from '../api/service.js';
import { watchedRunsMax } from './constants.js';

/** A run started from chat: who asked, where, and exactly what was submitted. */
export interface WatchedRun {
  run: string;
  pipeline: string;
  /** The nick that asked; told when it ends, and told directly if it fails. */
  nick: string;
  /** Where to announce the end: the channel, or the nick for a direct message. */
  target: string;
  request: SubmitRequest;
}

/**
 * Runs started from chat, bounded (the oldest is forgotten first). The submit request is
 * the metadata the bot controls: `!retry` resubmits it exactly, and when a job view carries
 * no commit author, the nick that asked stands in for the committer.
 */
export class RunWatch {
  private readonly runs = new Map<string, WatchedRun>();

  constructor(private readonly max = watchedRunsMax) {}

  add(w: WatchedRun): void {
    const key = runIdOf(w.run);
    this.runs.delete(key);
    this.runs.set(key, w);
    while (this.runs.size > this.max) {
      const oldest = this.runs.keys().next();
      if (oldest.done) break;
      this.runs.delete(oldest.value);
    }
  }

  /** The watch of run `run`, also when given one of its job ids (`7.1` finds run `7`). */
  get(run: string): WatchedRun | undefined {
    return this.runs.get(runIdOf(run));
  }

  get size(): number {
    return this.runs.size;
  }
}

/**
 * The run of an id: a job id is `<run>.<n>`. A daemon's submit of a one-job run answers
 * the job's id, while run-ended events name the run, so the watch is keyed by the run.
 */
export function runIdOf(id: string): string {
  const dot = id.indexOf('.');
  return dot < 0 ? id : id.slice(0, dot);
}
