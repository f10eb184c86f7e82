import { appendFileSync } from 'node:fs';
import type { LogLine, ReplSession, ReplState } from '../src/repl-client/index.js';
import { stripAnsi } from '../src/repl-client/index.js';

/**
 * A plain-text record of what the REPL showed, one line per fact, appended to a file as it
 * happens: every log line once (`log JOB SEQ TEXT`; `reset JOB` when a job's log is shown again from the start), each change of the header's leader or
 * attachment (`header leader=… term=… attached=… connection=…`), each event and notice. The
 * screen is an alternate screen that keeps no scrollback, so this is how an end-to-end test
 * (or a person after a session) checks that a log came through whole. Set with
 * `CAIRN_REPL_TRANSCRIPT=FILE`. Writes are synchronous: a few short lines a second at most.
 */
export function recordTranscript(session: ReplSession, file: string): () => void {
  const seenLines = new WeakSet<LogLine>();
  const seenEvents = new WeakSet<object>();
  const seenNotices = new WeakSet<object>();
  let lastHeader = '';
  /** The jobs whose lines were on screen at the last update: a job shown again starts over. */
  let shown = new Set<string>();
  const write = (lines: string[]): void => {
    if (lines.length > 0) appendFileSync(file, lines.map((l) => `${l}\n`).join(''));
  };
  const onState = (s: ReplState): void => {
    const out: string[] = [];
    const h = s.header;
    const header = `header leader=${h.leader ?? '-'} term=${h.term} attached=${h.attachedName ?? h.attachedUrl} connection=${h.connection}`;
    if (header !== lastHeader) {
      lastHeader = header;
      out.push(header);
    }
    for (const n of h.notices) {
      if (seenNotices.has(n)) continue;
      seenNotices.add(n);
      out.push(`notice ${n.text}`);
    }
    for (const e of s.events) {
      if (seenEvents.has(e)) continue;
      seenEvents.add(e);
      out.push(`event ${e.kind} ${e.text}`);
    }
    // `logs JOB` for a job already shown clears its lines and starts from sequence 0 again.
    const follows = new Set(s.follows.filter((f) => f.next === 0 && f.bytes === 0).map((f) => f.job));
    for (const job of follows) if (shown.has(job) && !s.log.some((l) => l.job === job)) out.push(`reset ${job}`);
    shown = new Set(s.log.map((l) => l.job));
    for (const l of s.log) {
      if (seenLines.has(l)) continue;
      seenLines.add(l);
      out.push(`log ${l.job} ${l.seq} ${stripAnsi(l.text)}`);
    }
    write(out);
  };
  onState(session.store.get());
  return session.store.subscribe(onState);
}
