import type { ClusterAccess } from './cluster-access.js';
import { historySeedLimit, outcomesMax } from './constants.js';
import { outcomeKey, type ChatEvent } from './event-source.js';
import { failedStates, toHistoryOutcome, type JobRow } from './views.js';

/** Sets `k` as the newest entry of `m`, dropping the oldest beyond `max`. */
export function remember<K, V>(m: Map<K, V>, k: K, v: V, max: number): void {
  m.delete(k);
  m.set(k, v);
  while (m.size > max) {
    const oldest = m.keys().next();
    if (oldest.done) break;
    m.delete(oldest.value);
  }
}

/**
 * The last outcome of each pipeline/job name, so a success after a failure reads "fixed".
 * Shared by the event sources (polling and stream): both turn an ended job into a ChatEvent here.
 */
export class JobOutcomes {
  readonly #outcomes = new Map<string, 'succeeded' | 'failed'>();

  /** Learns the outcomes of builds that ended before the bot started, from the history. */
  async seed(cluster: ClusterAccess): Promise<void> {
    const records = await cluster.read((c) => c.history(historySeedLimit));
    // History is newest first: the first record per key is its last outcome.
    for (const r of records.map(toHistoryOutcome).reverse()) {
      if (r === null) continue;
      if (r.state === 'succeeded') remember(this.#outcomes, outcomeKey(r), 'succeeded', outcomesMax);
      else if (failedStates.has(r.state)) remember(this.#outcomes, outcomeKey(r), 'failed', outcomesMax);
    }
  }

  /** The ChatEvent of a job that ended (null for one that has not); records its outcome. */
  eventOf(job: JobRow): ChatEvent | null {
    const key = outcomeKey(job);
    if (failedStates.has(job.state)) {
      remember(this.#outcomes, key, 'failed', outcomesMax);
      return { type: 'job-failed', job };
    }
    if (job.state === 'succeeded') {
      const before = this.#outcomes.get(key);
      remember(this.#outcomes, key, 'succeeded', outcomesMax);
      return before === 'failed' ? { type: 'job-fixed', job } : { type: 'job-succeeded', job };
    }
    if (job.state === 'cancelled') return { type: 'job-cancelled', job };
    return null;
  }
}
