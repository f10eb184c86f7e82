import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { createTheme, planLayout, ReplScreen, outputRows, promptRows } from '../../repl/index.js';
import { stripAnsi, type ReplState } from '../../src/repl-client/index.js';
import { busyState, t0 } from './screen-fixtures.js';

const ESC = '\u001b';

function frame(state: ReplState, opts: { color: boolean; width: number; height: number }): string {
  const r = render(<ReplScreen state={state} theme={createTheme(opts.color)} width={opts.width} height={opts.height} />);
  const out = r.lastFrame() ?? '';
  r.unmount();
  return out;
}

describe('ReplScreen', () => {
  it('draws header, jobs, steps, log, events, the answer and the prompt from the view model', () => {
    const out = stripAnsi(frame(busyState(), { color: true, width: 120, height: 40 }));
    const lines = out.split('\n');
    expect(lines[0]).toBe('cairn lab │ leader beta · term 7 │ attached to beta (127.0.0.1:7071) ● attached');
    expect(lines[1]).toBe('nodes 2 up, 1 down: ✗ alpha down maven,os=linux ● beta★ 1/4 cargo,os=linux ● gamma 0/2 gpu,os=linux');
    expect(lines[2]).toBe('⚑ reattached to beta (alpha stopped answering)');
    expect(out).toContain('JOB NAME                     STATE     NODE  # WHY / LABELS');
    expect(out).toMatch(/7\.1 build +● running +beta +2 cargo/);
    expect(out).toMatch(/7\.2 test-with-a-very-long-n… ◌ queued +- +0 waiting for 7\.1 \(needs\)/);
    // Steps: icons, durations, and the spinner on the running step with its elapsed time.
    expect(out).toMatch(/✓ checkout +0\.4s/);
    expect(out).toMatch(/○ lint +skipped/);
    expect(out).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] cargo build +3\.3s/);
    expect(out).toContain('7.1 │    Compiling cairn v0.1.0');
    expect(out).toContain('node alpha lost: heartbeats missed');
    expect(out).toContain('› why 7.2');
    expect(out).toContain('cairn› logs 7.');
    expect(out).toContain('7.1  7.2');
  });

  it("keeps the build's own colours and colours its own text", () => {
    const out = frame(busyState(), { color: true, width: 120, height: 40 });
    // ink re-encodes the resets; the build's bold green stays bold green.
    expect(out).toContain(`${ESC}[1m${ESC}[32mCompiling${ESC}[39m${ESC}[22m`);
    expect(out).toContain(`${ESC}[31m✗${ESC}[39m alpha`);
    expect(out).toContain(`${ESC}[33m⚑ reattached to beta`);
  });

  it('is plain text without colour (NO_COLOR, --no-color, non-TTY)', () => {
    const out = frame(busyState(), { color: false, width: 120, height: 40 });
    expect(out).not.toContain(ESC);
    expect(out).toContain('Compiling cairn v0.1.0');
    expect(out).toContain('cairn› logs 7._');
  });

  it('reads well at 60 columns: stacked header, fewer columns, every line cut to the width', () => {
    for (const color of [true, false]) {
      const out = frame(busyState(), { color, width: 60, height: 30 });
      const lines = stripAnsi(out).split('\n');
      for (const l of lines) expect([...l].length).toBeLessThanOrEqual(60);
      expect(lines[0]).toBe('cairn lab · leader beta · term 7');
      expect(lines[1]).toBe('attached to beta ● attached');
      // The nodes with their labels take two lines rather than losing the labels.
      expect(lines[2]).toBe('nodes 2 up, 1 down: ✗ alpha down maven,os=linux');
      expect(lines[3]).toBe(' ● beta★ 1/4 cargo,os=linux ● gamma 0/2 gpu,os=linux');
      expect(lines.join('\n')).not.toContain('WHY / LABELS');
      expect(lines.join('\n')).toMatch(/7\.2 +test-with-a-v… ◌ queued/);
      expect(lines.join('\n')).toContain('7.1 │    Compiling cairn');
    }
  });

  it('never draws more rows than the terminal has, whatever the view holds', () => {
    const s = busyState();
    const many: ReplState = {
      ...s,
      jobs: Array.from({ length: 120 }, (_, i) => ({ ...s.jobs[0]!, id: `${i}.1` })),
      log: Array.from({ length: 900 }, (_, i) => ({ job: '7.1', seq: i, text: `line ${i}` })),
      events: Array.from({ length: 150 }, (_, i) => ({ ...s.events[0]!, text: `event ${i}` })),
      output: [{ id: 2, at: t0, command: 'help', kind: 'help', entries: Array.from({ length: 40 }, (_, i) => ({ usage: `cmd${i}`, text: 'x' })) }],
    };
    for (const [width, height] of [[120, 40], [60, 20], [80, 12]] as const) {
      const lines = frame(many, { color: true, width, height }).split('\n');
      expect(lines.length).toBeLessThanOrEqual(height - 1);
      expect(lines.at(-2)).toContain('cairn›');
    }
    const out = stripAnsi(frame(many, { color: false, width: 120, height: 40 }));
    expect(out).toContain('line 899');
    expect(out).not.toContain('line 800');
    expect(out).toContain('event 149');
    expect(out).toMatch(/… \d+ more lines/);
    expect(out).toContain('119.1');
  });

  it('says when it is reattaching or has lost every member', () => {
    const s = busyState();
    const out = stripAnsi(frame({ ...s, header: { ...s.header, connection: 'reattaching', leader: null } }, { color: true, width: 100, height: 30 }));
    expect(out.split('\n')[0]).toContain('leader none · term 7 │ attached to beta (127.0.0.1:7071) ⟳ reattaching');
    const lost = stripAnsi(frame({ ...s, header: { ...s.header, connection: 'lost' } }, { color: false, width: 100, height: 30 }));
    expect(lost).toContain('✗ no member answers');
  });
});

describe('answers', () => {
  const theme = createTheme(false);
  it('draws nodes, status with attempts, history, help and errors as tables', () => {
    const s = busyState();
    expect(outputRows({ id: 1, at: t0, command: 'nodes', kind: 'nodes', nodes: s.header.nodes, leader: 'beta' }, theme, 120)).toEqual([
      '› nodes',
      'NODE   ROLE    STATE  LOAD  API                    LABELS',
      'alpha  voter   down   -     http://127.0.0.1:7070  maven,os=linux',
      'beta   leader  up     1/4   http://127.0.0.1:7071  cargo,os=linux',
      'gamma  voter   up     0/2   http://127.0.0.1:7072  gpu,os=linux',
    ]);
    const status = outputRows({
      id: 2, at: t0, command: 'status 7.1', kind: 'status',
      status: { id: '7.1', name: 'build', state: 'running', node: 'beta', labels: ['cargo'], reason: null, pipeline: 'ci.yml', run: '7', attempts: [
        { n: 1, node: 'alpha', state: 'lost', exitCode: null, startedAt: t0, finishedAt: t0 + 65_000, reason: 'node-lost' },
        { n: 2, node: 'beta', state: 'running', exitCode: null, startedAt: t0 + 70_000, finishedAt: null, reason: null },
      ], jobs: [], waiting: [] },
    }, theme, 120);
    expect(status.slice(0, 5)).toEqual(['› status 7.1', '7.1  build  (ci.yml)', 'state   ● running', 'node    beta', 'labels  cargo']);
    expect(status[5]).toMatch(/^# +NODE +STATE +EXIT +STARTED +TOOK +REASON$/);
    expect(status[6]).toMatch(/^1 +alpha +lost +- +\d\d:\d\d:\d\d +1m05s +node-lost$/);
    expect(outputRows({ id: 3, at: t0, command: 'history', kind: 'history', rows: [] }, theme, 60)).toEqual(['› history', 'no finished jobs yet']);
    expect(outputRows({ id: 4, at: t0, command: 'x', kind: 'error', code: 'USAGE', message: 'unknown command "x"' }, theme, 60)).toEqual(['› x', '✗ unknown command "x" [USAGE]']);
    const help = outputRows({ id: 5, at: t0, command: 'help', kind: 'help', entries: [{ usage: 'jobs', text: 'the queue' }, { usage: 'logs <job> [-f]', text: 'a log' }] }, theme, 60);
    expect(help.slice(0, 3)).toEqual(['› help', 'jobs             the queue', 'logs <job> [-f]  a log']);
  });

  it('shows the cursor inside the line, and a running command', () => {
    expect(promptRows({ text: 'jobs', cursor: 1, candidates: [] }, null, theme, 60)).toEqual(['cairn› j|obs']);
    expect(promptRows({ text: 'jobs', cursor: 1, candidates: [] }, null, createTheme(true), 60)[0]).toContain(`${ESC}[7mo${ESC}[0m`);
    expect(promptRows({ text: '', cursor: 0, candidates: [] }, 'submit ci.yml', theme, 60)).toEqual(['cairn› _', 'running: submit ci.yml…']);
  });
});

describe('planLayout', () => {
  it('gives each region its minimum first, then grows them, and the log takes the rest', () => {
    const s = busyState();
    expect(planLayout(s, { header: 3, prompt: 2, output: 2 }, 40)).toEqual({
      jobs: 5, steps: [{ follow: s.follows[0], rows: 4 }], log: 5, events: 4, output: 2,
    });
    // A tiny terminal: the answer and the log first; the other regions wait for room.
    expect(planLayout(s, { header: 3, prompt: 2, output: 2 }, 12)).toEqual({ jobs: 0, steps: [], log: 4, events: 0, output: 2 });
    expect(planLayout(s, { header: 3, prompt: 2, output: 2 }, 16)).toEqual({ jobs: 0, steps: [{ follow: s.follows[0], rows: 4 }], log: 4, events: 0, output: 2 });
  });
});
