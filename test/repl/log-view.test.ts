import { describe, expect, it } from 'vitest';
import { LineSplitter, closeSteps, displayLine, keepColours, stripAnsi, trackStep, type StepRow } from '../../src/repl-client/index.js';
import { logLineCharsMax } from '../../src/repl-client/constants.js';

describe('ANSI handling', () => {
  const ESC = '\u001b';
  it('keeps colours and drops cursor moves, screen clears and titles', () => {
    const s = `${ESC}[32mok${ESC}[0m ${ESC}[2K${ESC}[1A${ESC}]0;title\u0007done${ESC}[1;31m!`;
    expect(keepColours(s)).toBe(`${ESC}[32mok${ESC}[0m done${ESC}[1;31m!${ESC}[0m`);
    expect(stripAnsi(s)).toBe('ok done!');
  });

  it('shows a line as the terminal would after carriage returns', () => {
    expect(displayLine('10%\r50%\r100%')).toBe('100%');
    expect(displayLine('windows line\r')).toBe('windows line');
    expect(displayLine('tab\tkept\u0000')).toBe('tab\tkept');
  });

  it('cuts an overlong line without leaving half an escape', () => {
    const long = 'x'.repeat(logLineCharsMax - 2) + `${ESC}[31mred`;
    const shown = displayLine(long);
    expect(shown).toBe('x'.repeat(logLineCharsMax - 2));
  });
});

describe('LineSplitter', () => {
  it('joins lines and UTF-8 characters split across chunks', () => {
    const bytes = Buffer.from('héllo\nwörld\nend');
    const sp = new LineSplitter();
    const out: string[] = [];
    for (let i = 0; i < bytes.length; i++) out.push(...sp.push(bytes.subarray(i, i + 1)));
    out.push(...sp.flush());
    expect(out).toEqual(['héllo', 'wörld', 'end']);
    expect(sp.flush()).toEqual([]);
  });

  it('cuts a line that never ends', () => {
    const sp = new LineSplitter();
    const out = sp.push(Buffer.from('y'.repeat(logLineCharsMax + 1)));
    expect(out).toHaveLength(1);
  });
});

describe('trackStep', () => {
  const run = (lines: string[]): readonly StepRow[] => lines.reduce<readonly StepRow[]>((s, l) => trackStep(s, l, 1000), []);

  it('reads starts, ends, failures, cancels and skips from the runner lines', () => {
    const steps = run([
      '▶ checkout',
      'Cloning…',
      '✓ checkout (0.42 s)',
      '○ lint (skipped)',
      '▶ test: unit',
      '✗ test: unit: exit code 2 (3.10 s)',
      '▶ deploy',
      '⊘ deploy: cancelled (0.05 s)',
      '▶ cleanup',
    ]);
    expect(steps).toEqual([
      { name: 'checkout', state: 'success', startedAt: 1000, durationMs: 420, detail: null },
      { name: 'lint', state: 'skipped', startedAt: null, durationMs: 0, detail: null },
      { name: 'test: unit', state: 'failure', startedAt: 1000, durationMs: 3100, detail: 'exit code 2' },
      { name: 'deploy', state: 'cancelled', startedAt: 1000, durationMs: 50, detail: null },
      { name: 'cleanup', state: 'running', startedAt: 1000, durationMs: null, detail: null },
    ]);
    expect(closeSteps(steps).at(-1)).toMatchObject({ state: 'cancelled', detail: 'no end reported' });
  });

  it('leaves other lines alone', () => {
    const steps = run(['▶ a']);
    for (const l of ['', '▶', '✓ b (1.00 s)', '✓ a', 'plain', '▶x']) expect(trackStep(steps, l, 5)).toBe(steps);
  });
});
