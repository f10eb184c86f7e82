import { CairnError } from '../util/errors.js';
import type { ClusterConnection } from './cluster-connection.js';
import { followResumeDelayMs, followResumesMax, logReadBytesMax } from './constants.js';
import { parseJobStatus, terminalJobStates } from './parse-views.js';
import type { FollowView } from './types.js';

/** One follow: which job, live or not, and where its chunks and state go. */
export interface LogFollowerInit {
  connection: ClusterConnection;
  job: string;
  /** Follow until the job ends (`logs -f`), or read what exists and stop. */
  live: boolean;
  /** The first sequence wanted. */
  from?: number;
  resumeDelayMs?: number;
  resumesMax?: number;
  /** Each chunk once, in sequence order, with the follow's counters after it. */
  onChunk(seq: number, data: Uint8Array, progress: Pick<FollowView, 'next' | 'bytes' | 'gaps'>): void;
  onUpdate(patch: Partial<Pick<FollowView, 'state' | 'resumes' | 'error'>>): void;
}

/**
 * Follows one job's log through the connection. When the stream breaks, or the connection
 * moves to another node, it resumes on the attached node from the next sequence it has not
 * seen (`from=`), and drops any chunk it already has: no gap, no duplicate.
 */
export class LogFollower {
  readonly job: string;
  readonly #init: LogFollowerInit;
  #next: number;
  #bytes = 0;
  #gaps = 0;
  #resumes = 0;
  #stopped = false;
  #stream: AbortController | null = null;
  #wake: (() => void) | null = null;
  #unsubscribe: () => void;

  constructor(init: LogFollowerInit) {
    this.job = init.job;
    this.#init = init;
    this.#next = init.from ?? 0;
    // A move to another node ends the stream on the old one; the loop resumes on the new one.
    this.#unsubscribe = init.connection.onEvent((e) => {
      if (e.kind === 'attached') this.#stream?.abort(new Error('moved'));
    });
  }

  get next(): number { return this.#next; }

  /** Runs until the log ends, the follow fails for good, or `stop()`. Never throws. */
  async run(): Promise<void> {
    try {
      await this.#loop();
    } finally {
      this.#unsubscribe();
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#stream?.abort(new Error('stopped'));
    this.#wake?.();
  }

  async #loop(): Promise<void> {
    const { connection, job, live } = this.#init;
    const resumesMax = this.#init.resumesMax ?? followResumesMax;
    let failures = 0;
    while (!this.#stopped) {
      const ac = new AbortController();
      this.#stream = ac;
      const url = connection.url;
      try {
        this.#init.onUpdate({ state: 'following' });
        for await (const chunk of connection.client(url, 'stream').logs(job, { from: this.#next, follow: live, signal: ac.signal })) {
          if (chunk.seq < this.#next) continue;
          if (chunk.seq > this.#next) this.#gaps++;
          this.#next = chunk.seq + 1;
          this.#bytes += chunk.data.length;
          failures = 0;
          this.#init.onChunk(chunk.seq, chunk.data, { next: this.#next, bytes: this.#bytes, gaps: this.#gaps });
          if (!live && this.#bytes >= logReadBytesMax) break;
        }
        if (this.#stopped) return;
        // A live stream also ends when its node shuts down cleanly: only a finished job ends the follow.
        if (!live || (await this.#jobEnded())) {
          this.#init.onUpdate({ state: 'ended' });
          return;
        }
      } catch (err) {
        if (this.#stopped) return;
        const moved = ac.signal.aborted;
        if (err instanceof CairnError && err.code === 'NOT_FOUND') {
          this.#init.onUpdate({ state: 'failed', error: err.message });
          return;
        }
        if (!moved) {
          // Let the connection find out whether the node is gone, and move if it is.
          await connection.refresh().catch(() => undefined);
        }
      }
      if (++failures > resumesMax) {
        this.#init.onUpdate({ state: 'failed', error: `gave up after ${resumesMax} attempts to resume the log` });
        return;
      }
      this.#resumes++;
      this.#init.onUpdate({ state: 'resuming', resumes: this.#resumes });
      if (connection.url === url) await this.#sleep(this.#init.resumeDelayMs ?? followResumeDelayMs);
    }
  }

  async #jobEnded(): Promise<boolean> {
    try {
      const s = parseJobStatus(await this.#init.connection.call((c) => c.job(this.job), { kind: 'poll' }));
      return terminalJobStates.has(s.state);
    } catch (err) {
      if (err instanceof CairnError && err.code === 'NOT_FOUND') return true;
      return false;
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void { clearTimeout(t); resolve(); }
      this.#wake = done;
    });
  }
}
