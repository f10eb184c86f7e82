import { complete, type CompletionSources } from './completion.js';
import { inputHistoryMax } from './constants.js';
import type { InputState } from './types.js';

/** A key as the REPL understands it, independent of the terminal library. */
export type KeyInput =
  | { kind: 'text'; text: string }
  | { kind: 'enter' | 'backspace' | 'delete' | 'left' | 'right' | 'home' | 'end' | 'up' | 'down' | 'tab' | 'kill-line' | 'kill-word' | 'interrupt' | 'eof' | 'clear' };

/**
 * The prompt's line editing: insert, delete, move, history with the up and down arrows, and tab
 * completion. No terminal here: keys come in as `KeyInput`, the line goes out as `InputState`.
 */
export class LineEditor {
  #text = '';
  #cursor = 0;
  #candidates: string[] = [];
  readonly #history: string[] = [];
  /** Position while browsing history (`history.length` = the line being typed). */
  #index = 0;
  /** The line being typed, kept while browsing history. */
  #draft = '';

  /** The prompt as the view shows it. */
  view(): InputState {
    return { text: this.#text, cursor: this.#cursor, candidates: this.#candidates };
  }

  /** Lines entered, oldest first. */
  get history(): readonly string[] {
    return this.#history;
  }

  /**
   * Applies a key. Returns the line when Enter submits one (the caller runs it), otherwise null.
   */
  key(k: KeyInput, sources: CompletionSources): string | null {
    if (k.kind !== 'tab') this.#candidates = [];
    switch (k.kind) {
      case 'text': {
        // Pasted text may hold newlines: keep the first line only, the prompt runs one command.
        const clean = k.text.replace(/[\r\n].*$/s, '').replace(/[\u0000-\u001f\u007f]/g, '');
        this.#set(this.#text.slice(0, this.#cursor) + clean + this.#text.slice(this.#cursor), this.#cursor + clean.length);
        return null;
      }
      case 'backspace':
        if (this.#cursor > 0) this.#set(this.#text.slice(0, this.#cursor - 1) + this.#text.slice(this.#cursor), this.#cursor - 1);
        return null;
      case 'delete':
        this.#set(this.#text.slice(0, this.#cursor) + this.#text.slice(this.#cursor + 1), this.#cursor);
        return null;
      case 'left': this.#cursor = Math.max(0, this.#cursor - 1); return null;
      case 'right': this.#cursor = Math.min(this.#text.length, this.#cursor + 1); return null;
      case 'home': this.#cursor = 0; return null;
      case 'end': this.#cursor = this.#text.length; return null;
      case 'kill-line': this.#set('', 0); return null;
      case 'kill-word': {
        const start = this.#text.slice(0, this.#cursor).replace(/\S+\s*$/, '').length;
        this.#set(this.#text.slice(0, start) + this.#text.slice(this.#cursor), start);
        return null;
      }
      case 'up': this.#browse(-1); return null;
      case 'down': this.#browse(1); return null;
      case 'tab': {
        const r = complete(this.#text, this.#cursor, sources);
        this.#text = r.text;
        this.#cursor = r.cursor;
        this.#candidates = r.candidates;
        return null;
      }
      case 'enter': return this.#submit();
      case 'interrupt':
      case 'eof':
      case 'clear':
        return null;
    }
  }

  #set(text: string, cursor: number): void {
    this.#text = text;
    this.#cursor = cursor;
    this.#index = this.#history.length;
  }

  #browse(step: number): void {
    const target = this.#index + step;
    if (target < 0 || target > this.#history.length) return;
    if (this.#index === this.#history.length) this.#draft = this.#text;
    this.#index = target;
    this.#text = target === this.#history.length ? this.#draft : this.#history[target]!;
    this.#cursor = this.#text.length;
  }

  #submit(): string {
    const line = this.#text;
    if (line.trim() !== '' && this.#history[this.#history.length - 1] !== line) {
      this.#history.push(line);
      if (this.#history.length > inputHistoryMax) this.#history.shift();
    }
    this.#text = '';
    this.#cursor = 0;
    this.#draft = '';
    this.#index = this.#history.length;
    return line;
  }
}
