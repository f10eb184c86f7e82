import { createInterface } from 'node:readline';
import type { LogLine, OutputBlock, ReplEvent, ReplSession, ReplState } from '../src/repl-client/index.js';
import { ERROR_CODES, type ErrorCode } from '../src/util/errors.js';
import { formatClock } from './format.js';
import { outputRows } from './components/output-view.js';
import type { Theme } from './theme.js';

/** The plain mode's session, colours and streams. */
export interface PlainReplInit {
  session: ReplSession;
  theme: Theme;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Columns for tables; a pipe has none, so a wide default. */
  columns: number;
}

/**
 * The REPL without a terminal: commands are read line by line from `input` and everything the
 * view model gains (answers, log lines, events, notices) is printed once, as plain lines. At
 * the end of the input it waits for live follows to end. Returns the exit code: that of the
 * last command that failed, else 0.
 */
export async function runPlainRepl(init: PlainReplInit): Promise<number> {
  const { session, theme, output } = init;
  const printed = new WeakSet<object>();
  let exitCode = 0;
  const write = (line: string): void => { output.write(`${line}\n`); };
  const print = (s: ReplState): void => {
    for (const n of s.header.notices) once(n, () => write(theme.tone(n.tone, `⚑ ${n.text}`)));
    for (const e of s.events) once(e, () => write(eventLine(e, theme)));
    for (const l of s.log) once(l, () => write(logLine(l, theme)));
    for (const b of s.output) once(b, () => write(outputRows(b, theme, init.columns).join('\n')));
  };
  const once = (o: object, fn: () => void): void => {
    if (printed.has(o)) return;
    printed.add(o);
    fn();
  };
  const unsubscribe = session.store.subscribe(print);
  try {
    const rl = createInterface({ input: init.input, terminal: false });
    for await (const line of rl) {
      await session.run(line);
      const last: OutputBlock | undefined = session.store.get().output.at(-1);
      if (last?.kind === 'error') exitCode = ERROR_CODES[last.code as ErrorCode]?.exit ?? 1;
      if (session.store.get().quit) break;
    }
    rl.close();
    if (!session.store.get().quit) await liveFollowsEnded(session);
  } finally {
    unsubscribe();
  }
  return exitCode;
}

function liveFollowsEnded(session: ReplSession): Promise<void> {
  const open = (s: ReplState): boolean => s.follows.some((f) => f.live && (f.state === 'following' || f.state === 'resuming'));
  return new Promise((resolve) => {
    if (!open(session.store.get())) return resolve();
    const unsubscribe = session.store.subscribe((s) => {
      if (open(s)) return;
      unsubscribe();
      resolve();
    });
  });
}

function eventLine(e: ReplEvent, theme: Theme): string {
  return `${theme.paint('dim', formatClock(e.at))} ${theme.tone(e.tone, e.text)}`;
}

function logLine(l: LogLine, theme: Theme): string {
  return `${theme.job(l.job, l.job)} ${theme.paint('dim', '│')} ${theme.build(l.text)}`;
}
