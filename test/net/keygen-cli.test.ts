import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseClusterKey } from '../../src/net/index.js';
import { cairnBin } from '../node/cluster-harness.js';
import { tempDir } from './helpers.js';

const run = promisify(execFile);

/** Runs the built CLI; resolves with the exit code and output instead of throwing on failure. */
async function cairn(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cairnBin, ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('cairn keygen (built CLI)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('keygen'));
    // `npm test` builds first; rebuilding here would swap dist/ under the suite's other processes.
    if (!existsSync(cairnBin)) throw new Error(`${cairnBin} is missing: run 'npm run build' first`);
  });
  afterAll(async () => cleanup());

  it('writes a valid key with mode 0600', async () => {
    const out = join(dir, 'swarm.key');
    const r = await cairn(['keygen', '--out', out]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/wrote a new cluster key/);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    const bytes = await readFile(out);
    expect(parseClusterKey(bytes)).toEqual(new Uint8Array(bytes));
  });

  it('refuses to overwrite an existing file (exit 2), leaving it untouched', async () => {
    const out = join(dir, 'existing.key');
    await writeFile(out, 'precious');
    const r = await cairn(['keygen', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already exists/);
    expect(await readFile(out, 'utf8')).toBe('precious');
  });

  it('reports the file as JSON with --json, and needs --out (exit 2)', async () => {
    const out = join(dir, 'json.key');
    const r = await cairn(['--json', 'keygen', '--out', out]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ file: out });
    expect((await cairn(['keygen'])).code).toBe(2);
  });
});
