import { useApp, useInput, useStdout } from 'ink';
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { ReplSession } from '../src/repl-client/index.js';
import { ReplScreen } from './components/repl-screen.js';
import { toKeyInputs } from './keys.js';
import type { Theme } from './theme.js';

/** Used when the terminal does not say its size. */
const fallbackSize = { columns: 80, rows: 24 };

/**
 * The interactive REPL: subscribes to the session's store, draws it, and hands keys to the
 * session. The session does every request; this component does none.
 */
export function ReplApp({ session, theme }: { session: ReplSession; theme: Theme }) {
  const state = useSyncExternalStore(session.store.subscribe, session.store.get);
  const { stdout } = useStdout();
  const { exit } = useApp();
  const [size, setSize] = useState({ columns: stdout.columns || fallbackSize.columns, rows: stdout.rows || fallbackSize.rows });

  useEffect(() => {
    const onResize = (): void => setSize({ columns: stdout.columns || fallbackSize.columns, rows: stdout.rows || fallbackSize.rows });
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);

  useEffect(() => {
    if (state.quit) exit();
  }, [state.quit, exit]);

  // Keys are applied in order: a command typed ahead waits for the one running. Quitting does not wait.
  const queue = useRef<Promise<void>>(Promise.resolve());
  useInput((input, key) => {
    for (const k of toKeyInputs(input, key)) {
      if (k.kind === 'interrupt' || k.kind === 'eof') void session.key(k);
      else queue.current = queue.current.then(() => session.key(k));
    }
  });

  return <ReplScreen state={state} theme={theme} width={size.columns} height={size.rows} />;
}
