import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { markerSleep, processesWith, waitFor } from '../exec/helpers.js';
import { assertBuilt, cairnAsync, project, type Project } from './run-helpers.js';

const projects: Project[] = [];
afterEach(() => {
  for (const p of projects.splice(0)) p.cleanup();
});
beforeAll(assertBuilt);

describe('cairn run and Ctrl-C', () => {
  it('SIGINT cancels the run, exits 130 and leaves no orphan processes', async () => {
    const mark = markerSleep();
    const p = project({
      'cairn.yml': `
jobs:
  a:
    steps:
      - run: |
          sleep ${mark} &
          ( sleep ${mark} & )
          sleep ${mark}
  b:
    steps:
      - run: sleep ${mark}
  c:
    needs: a
    steps:
      - run: echo never
`,
    });
    projects.push(p);
    const child = cairnAsync(['run'], p.dir);
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    expect(await waitFor(() => processesWith(mark).length === 4, 20_000)).toBe(true);
    child.kill('SIGINT');
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 20_000))]);
    expect(code).toBe(130);
    expect(processesWith(mark)).toEqual([]);
    expect(stdout).toContain('cancelling');
    expect(stdout).toMatch(/a\s+cancelled/);
    expect(stdout).toMatch(/c\s+cancelled/);
    expect(stdout).toMatch(/was cancelled/);
  });
});
