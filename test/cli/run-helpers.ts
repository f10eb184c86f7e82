import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI; `npm test` builds it first (`npm run build`). CAIRN_BIN points at a private build instead. */
export const cairnBin = process.env.CAIRN_BIN ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/cairn.js');

export function assertBuilt(): void {
  if (!existsSync(cairnBin)) throw new Error(`${cairnBin} is missing: run 'npm run build' first`);
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `cairn ...args` to completion with the Node running the tests. */
export function cairn(args: string[], cwd: string, env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [cairnBin, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '', ...env },
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `cairn ...args` without waiting. */
export function cairnAsync(args: string[], cwd: string) {
  return spawn(process.execPath, [cairnBin, ...args], { cwd, env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface Project {
  dir: string;
  write(name: string, text: string, mode?: number): string;
  cleanup(): void;
}

export function project(files: Record<string, string> = {}): Project {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-cli-'));
  const write = (name: string, text: string, mode = 0o644): string => {
    const p = join(dir, name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text, { mode });
    return p;
  };
  for (const [k, v] of Object.entries(files)) write(k, v);
  return { dir, write, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
