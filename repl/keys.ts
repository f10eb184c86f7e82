import type { Key } from 'ink';
import type { KeyInput } from '../src/repl-client/index.js';

const ctrlKeys: Record<string, KeyInput['kind']> = { c: 'interrupt', d: 'eof', u: 'kill-line', w: 'kill-word', a: 'home', e: 'end', l: 'clear' };

/**
 * Maps one ink input event to the client layer's keys. Terminals send DEL (0x7f) for Backspace
 * and ink names it `delete`, like the forward-delete key, so both erase backwards. Typed-ahead
 * or pasted text arrives as one event: each line end in it is an Enter, in order.
 */
export function toKeyInputs(input: string, key: Key): KeyInput[] {
  if (key.return) return [{ kind: 'enter' }];
  if (key.backspace || key.delete) return [{ kind: 'backspace' }];
  if (key.upArrow) return [{ kind: 'up' }];
  if (key.downArrow) return [{ kind: 'down' }];
  if (key.leftArrow) return [{ kind: 'left' }];
  if (key.rightArrow) return [{ kind: 'right' }];
  if (key.home) return [{ kind: 'home' }];
  if (key.end) return [{ kind: 'end' }];
  if (key.tab) return [{ kind: 'tab' }];
  if (key.ctrl) {
    const kind = ctrlKeys[input.toLowerCase()];
    return kind === undefined ? [] : [{ kind } as KeyInput];
  }
  if (key.meta || key.escape || input === '') return [];
  return splitTyped(input);
}

/** Control characters a terminal sends, as keys. */
const controlKeys: Record<string, KeyInput['kind']> = {
  '\r': 'enter', '\n': 'enter', '\t': 'tab', '\u007f': 'backspace', '\b': 'backspace',
  '\u0003': 'interrupt', '\u0004': 'eof', '\u0015': 'kill-line', '\u0017': 'kill-word', '\u0001': 'home', '\u0005': 'end', '\u000c': 'clear',
};
/** Cursor-key escape sequences (ESC already removed by ink at the start of a chunk, so it is optional). */
const escapeKeys: Array<[RegExp, KeyInput['kind']]> = [
  [/^\u001b?\[A/, 'up'], [/^\u001b?\[B/, 'down'], [/^\u001b?\[C/, 'right'], [/^\u001b?\[D/, 'left'],
  [/^\u001b?\[(?:H|1~)/, 'home'], [/^\u001b?\[(?:F|4~)/, 'end'], [/^\u001b?\[3~/, 'backspace'],
];

/**
 * Text that arrived as one event (typed ahead, pasted, or several keys in one read) as the
 * keys it holds, in order: line ends are Enter, Tab completes, control characters edit.
 */
export function splitTyped(input: string): KeyInput[] {
  const keys: KeyInput[] = [];
  let text = '';
  const flush = (): void => {
    if (text !== '') keys.push({ kind: 'text', text });
    text = '';
  };
  for (let i = 0; i < input.length; ) {
    const ch = input[i]!;
    const rest = input.slice(i);
    const esc = ch === '\u001b' || (ch === '[' && i === 0) ? escapeKeys.find(([re]) => re.test(rest)) : undefined;
    if (esc !== undefined) {
      flush();
      keys.push({ kind: esc[1] } as KeyInput);
      i += esc[0].exec(rest)![0].length;
      continue;
    }
    const control = controlKeys[ch];
    if (control !== undefined) {
      flush();
      // CR LF is one Enter.
      if (!(ch === '\n' && input[i - 1] === '\r')) keys.push({ kind: control } as KeyInput);
    } else if (ch >= ' ') {
      // Other control characters and a lone ESC are dropped.
      text += ch;
    }
    i++;
  }
  flush();
  return keys;
}
