import { describe, expect, it } from 'vitest';
import { CommandScanner } from '../../src/exec/workflow-commands.js';

function scan(writes: string[]): { text: string; masks: string[] } {
  const s = new CommandScanner();
  const parts: Buffer[] = [];
  const masks: string[] = [];
  for (const w of [...writes.map((x) => s.push(Buffer.from(x))), s.flush()]) {
    parts.push(Buffer.from(w.bytes));
    masks.push(...w.masks);
  }
  return { text: Buffer.concat(parts).toString(), masks };
}

describe('CommandScanner', () => {
  it.each([
    [['a\n::add-mask::pw\nb\n'], 'a\nb\n', ['pw']],
    [['a\n::add', '-mask::p', 'w\nb'], 'a\nb', ['pw']],
    [['::add-mask::last'], '', ['last']],
    [['x ::add-mask::no\n'], 'x ::add-mask::no\n', []],
    [[':colon\n::warning::w\n'], ':colon\n::warning::w\n', []],
    [['::add-mask::crlf\r\nz'], 'z', ['crlf']],
  ])('%j', (writes, text, masks) => {
    expect(scan(writes)).toEqual({ text, masks });
  });

  it('passes a long line starting with a colon without buffering it all', () => {
    const s = new CommandScanner();
    const r = s.push(Buffer.from(':' + 'x'.repeat(100)));
    expect(Buffer.from(r.bytes).length).toBe(101);
  });
});
