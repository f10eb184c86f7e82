import { attemptReportsMax, type AttemptReport, type Command, type CommandResult } from '../src/cluster/index.js';

/** A batch is retried this many times when no leader took it (a leader change may drop one). */
const reportTriesMax = 5;

interface Pending {
  report: AttemptReport;
  resolve(r: CommandResult): void;
}

/**
 * Sends this node's attempt reports (started, finished) to the cluster, coalescing: the first
 * goes at once (reports made in the same synchronous run, such as an attempt's folded start
 * and its end, go with it); the ones that come while it is being committed wait and go
 * together as one AttemptReports entry when it is. An idle node's report costs one Raft round,
 * as before; a busy node's cost one entry per round instead of one per report.
 */
export class AttemptReporter {
  private queue: Pending[] = [];
  private sending = false;

  constructor(
    private readonly node: string,
    private readonly propose: (cmd: Command) => Promise<CommandResult>,
  ) {}

  /** Resolves with this report's own result once applied (or NO_LEADER after the retries). */
  report(report: AttemptReport): Promise<CommandResult> {
    return new Promise((resolve) => {
      this.queue.push({ report, resolve });
      if (this.sending) return;
      this.sending = true;
      queueMicrotask(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, attemptReportsMax);
        const cmd: Command = { kind: 'AttemptReports', node: this.node, reports: batch.map((p) => p.report) };
        let res: CommandResult = { ok: false, code: 'NO_LEADER', message: 'not sent', data: {} };
        for (let i = 0; i < reportTriesMax; i++) {
          res = await this.propose(cmd);
          if (res.ok || res.code !== 'NO_LEADER') break;
        }
        batch.forEach((p, i) => p.resolve(res.ok ? (res.reports?.[i] ?? res) : res));
      }
    } finally {
      this.sending = false;
    }
  }
}
