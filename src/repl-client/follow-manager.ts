import type { ClusterConnection } from './cluster-connection.js';
import { stripAnsi } from './ansi.js';
import { followsMax, logLinesKeptMax } from './constants.js';
import { LineSplitter, displayLine } from './log-lines.js';
import { LogFollower } from './log-follower.js';
import { closeSteps, trackStep } from './step-tracker.js';
import { keepLast, type Store } from './store.js';
import type { FollowView, LogLine, ReplState } from './types.js';

/** What the follows need: the connection, the store they write, the clock. */
export interface FollowManagerInit {
  connection: ClusterConnection;
  store: Store<ReplState>;
  now: () => number;
  resumeDelayMs?: number;
}

interface Active {
  follower: LogFollower;
  done: Promise<void>;
}

/**
 * The jobs whose logs the REPL shows: one `LogFollower` each, their lines merged into one tail
 * with the job's id on each line, and each job's steps read from its log.
 */
export class FollowManager {
  readonly #init: FollowManagerInit;
  readonly #active = new Map<string, Active>();

  constructor(init: FollowManagerInit) {
    this.#init = init;
  }

  /** Starts showing a job's log; returns a line for the transcript. */
  follow(job: string, live: boolean): string {
    const { store } = this.#init;
    const running = this.#active.get(job);
    if (running !== undefined) {
      if (!live) return `already showing ${job}`;
      running.follower.stop();
    }
    const open = store.get().follows.filter((f) => f.job !== job && isOpen(f));
    if (open.length >= followsMax) return `already following ${followsMax} logs: wait for one to end`;
    // A job shown again starts from the beginning: its old lines and steps make way.
    const fresh: FollowView = { job, state: 'following', live, next: 0, bytes: 0, gaps: 0, resumes: 0, steps: [], error: null };
    store.update((s) => ({ ...s, log: s.log.filter((l) => l.job !== job), follows: admit(s.follows, fresh) }));
    const splitter = new LineSplitter();
    const follower: LogFollower = new LogFollower({
      connection: this.#init.connection,
      job,
      live,
      ...(this.#init.resumeDelayMs === undefined ? {} : { resumeDelayMs: this.#init.resumeDelayMs }),
      onChunk: (seq, data, progress) => this.#update(job, follower, splitter.push(data).map((r) => ({ job, seq, text: displayLine(r) })), progress),
      onUpdate: (patch) => {
        // The end of the log: the unfinished last line is shown and open steps are closed, with the state, in one update.
        const rest = patch.state === 'ended' ? splitter.flush().map((r) => ({ job, seq: follower.next - 1, text: displayLine(r) })) : [];
        this.#update(job, follower, rest, patch);
      },
    });
    const entry: Active = { follower, done: Promise.resolve() };
    // Registered before it runs, so its first update is recognised as the current follower's.
    this.#active.set(job, entry);
    entry.done = follower.run().then(() => {
      if (this.#active.get(job)?.follower === follower) this.#active.delete(job);
    });
    return live ? `following ${job}` : `showing ${job}`;
  }

  /** Stops every follow and waits for them to wind down. */
  async stop(): Promise<void> {
    const all = [...this.#active.values()];
    for (const a of all) a.follower.stop();
    await Promise.all(all.map((a) => a.done));
  }

  /** Adds a job's new lines to the tail and its steps, and applies a patch to its follow, in one update. */
  #update(job: string, follower: LogFollower, lines: LogLine[], patch: Partial<FollowView>): void {
    // A replaced follower's last words must not touch its successor's view.
    if (this.#active.has(job) && this.#active.get(job)?.follower !== follower) return;
    const now = this.#init.now();
    this.#init.store.update((s) => ({
      ...s,
      log: lines.length === 0 ? s.log : keepLast([...s.log, ...lines], logLinesKeptMax),
      follows: s.follows.map((f) => {
        if (f.job !== job) return f;
        let steps = f.steps;
        for (const l of lines) steps = trackStep(steps, stripAnsi(l.text), now);
        if (patch.state === 'ended') steps = closeSteps(steps);
        return { ...f, ...patch, steps };
      }),
    }));
  }
}

function isOpen(f: FollowView): boolean {
  return f.state === 'following' || f.state === 'resuming';
}

/** Adds a follow, making room by dropping the oldest finished ones. */
function admit(follows: readonly FollowView[], fresh: FollowView): FollowView[] {
  const rest = follows.filter((f) => f.job !== fresh.job);
  while (rest.length >= followsMax) {
    const i = rest.findIndex((f) => !isOpen(f));
    if (i < 0) break;
    rest.splice(i, 1);
  }
  return [...rest, fresh];
}
