import type { InputState } from '../../src/repl-client/index.js';
import type { Theme } from '../theme.js';
import { Rows } from './rows.js';

/** The prompt's text before the line. */
export const promptText = 'cairn› ';

/**
 * The prompt as rows: the line with its cursor (inverse video; a bar without colour), and
 * under it the candidates of an ambiguous completion or the command that is running.
 */
export function promptRows(input: InputState, busy: string | null, theme: Theme, width: number): string[] {
  const { text, cursor } = input;
  const at = text.slice(cursor, cursor + 1);
  const caret = theme.color ? theme.paint('inverse', at === '' ? ' ' : at) : at === '' ? '_' : `|${at}`;
  // Keep the cursor in view on a long line: show its tail.
  const room = Math.max(8, width - promptText.length - 1);
  const start = Math.max(0, cursor - room + 1);
  const line = `${theme.paint('accent', promptText)}${text.slice(start, cursor)}${caret}${text.slice(cursor + 1)}`;
  const rows = [line];
  if (busy !== null) rows.push(theme.paint('dim', `running: ${busy.trim()}…`));
  else if (input.candidates.length > 0) rows.push(theme.paint('dim', input.candidates.join('  ')));
  return rows;
}

/** The prompt line, and the completion candidates or the running command under it. */
export function PromptLine({ input, busy, theme, width }: { input: InputState; busy: string | null; theme: Theme; width: number }) {
  return <Rows rows={promptRows(input, busy, theme, width)} width={width} />;
}
