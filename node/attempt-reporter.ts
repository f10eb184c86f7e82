import { attemptReportsMax, type AttemptReport, type Command, type CommandResult } from '../src/cluster/index.js';
import { trace, tracing } from '../src/util/trace.js';

/** A batch is retried this many times when no leader took it (a leader change may drop one). */
const reportTriesMax = 5;
/**
 * Report batches on their way at once. More than one, so a report that comes while a batch is
 * being committed does not wait a whole Raft round for it (its slot stays taken until its
 * report is applied); few, so a busy node's reports still gather into few entries.
 */
export const reportBatchesInFlightMax = 2;

interface Pending {
  report: AttemptReport;
  resolve(r: CommandResult): void;
}

const attemptKey = (r: AttemptReport): string => `${r.job}#${r.attempt}`;

/**
 * Sends this node's attempt reports (started, finished) to the cluster, coalescing: reports go
 * at once while fewer than reportBatchesInFlightMax batches are on their way (the reports made
 * in one synchronous run, such as an attempt's folded start and its end, as one batch); the
 * ones that come while that many are being committed wait and go together as one
 * AttemptReports entry. One attempt's reports are applied in the order they were made: while
 * one of its batches is on its way (a batch may be proposed again after a leader change), its
 * next report waits.
 */
export class AttemptReporter {
  private queue: Pending[] = [];
  private inFlight = 0;
  /** Attempts with a report in a batch on its way. */
  private readonly sending = new Set<string>();
  private scheduled = false;

  constructor(
    private readonly node: string,
    private readonly propose: (cmd: Command) => Promise<CommandResult>,
  ) {}

  /** Resolves with this report's own result once applied (or NO_LEADER after the retries). */
  report(report: AttemptReport): Promise<CommandResult> {
    return new Promise((resolve) => {
      this.queue.push({ report, resolve });
      this.schedule();
    });
  }

  /** Sends what may go at the end of this synchronous run (so that run's reports go together). */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < reportBatchesInFlightMax && this.queue.length > 0) {
      const batch: Pending[] = [];
      const rest: Pending[] = [];
      for (const p of this.queue) {
        if (batch.length < attemptReportsMax && !this.sending.has(attemptKey(p.report))) batch.push(p);
        else rest.push(p);
      }
      if (batch.length === 0) return;
      this.queue = rest;
      const keys = new Set(batch.map((p) => attemptKey(p.report)));
      for (const k of keys) this.sending.add(k);
      this.inFlight++;
      void this.send(batch).finally(() => {
        for (const k of keys) this.sending.delete(k);
        this.inFlight--;
        this.schedule();
      });
    }
  }

  private async send(batch: Pending[]): Promise<void> {
    const cmd: Command = { kind: 'AttemptReports', node: this.node, reports: batch.map((p) => p.report) };
    if (tracing) trace('report-batch', { jobs: batch.map((p) => p.report.job) });
    let res: CommandResult = { ok: false, code: 'NO_LEADER', message: 'not sent', data: {} };
    for (let i = 0; i < reportTriesMax; i++) {
      res = await this.propose(cmd);
      if (res.ok || res.code !== 'NO_LEADER') break;
    }
    batch.forEach((p, i) => p.resolve(res.ok ? (res.reports?.[i] ?? res) : res));
  }
}
