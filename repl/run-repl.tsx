import { render } from 'ink';
import { createReplSession, type ReplSessionInit } from '../src/repl-client/index.js';
import { ReplApp } from './app.js';
import { runPlainRepl } from './plain-repl.js';
import { recordTranscript } from './transcript.js';
import { createTheme } from './theme.js';

/** Pipes have no width: tables in plain mode are laid out for this many columns. */
const plainColumns = 120;
/** The terminal's alternate screen: the REPL leaves the shell's scrollback as it found it. */
const enterAltScreen = '\u001b[?1049h';
const leaveAltScreen = '\u001b[?1049l';

/** The session's settings, colour, and the terminal's streams (process.stdin/stdout by default). */
export interface RunReplInit extends ReplSessionInit {
  /** Colour on (a TTY without NO_COLOR or --no-color). */
  color: boolean;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  /** A file to append a plain record of the session to (log lines, header changes, events); by default `CAIRN_REPL_TRANSCRIPT`. */
  transcript?: string;
}

/**
 * `cairn repl`: the interactive ink terminal when stdin and stdout are terminals, otherwise
 * plain line mode (commands from stdin, plain answers on stdout). Returns the exit code.
 */
export async function runRepl(init: RunReplInit): Promise<number> {
  const stdin = init.stdin ?? process.stdin;
  const stdout = init.stdout ?? process.stdout;
  const session = createReplSession(init);
  const transcript = init.transcript ?? process.env.CAIRN_REPL_TRANSCRIPT ?? '';
  const stopTranscript = transcript === '' ? null : recordTranscript(session, transcript);
  session.start();
  try {
    if (stdin.isTTY !== true || stdout.isTTY !== true) {
      return await runPlainRepl({ session, theme: createTheme(init.color && stdout.isTTY === true), input: stdin, output: stdout, columns: stdout.columns || plainColumns });
    }
    stdout.write(enterAltScreen);
    try {
      const app = render(<ReplApp session={session} theme={createTheme(init.color)} />, { stdin, stdout, exitOnCtrlC: false });
      await app.waitUntilExit();
    } finally {
      stdout.write(leaveAltScreen);
    }
    return 0;
  } finally {
    await session.stop();
    stopTranscript?.();
  }
}
