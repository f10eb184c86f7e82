/**
 * A real crash: a child process appends in a loop and is killed with SIGKILL; recovery must
 * succeed and hold every entry whose save() had resolved. Repeated, so each round recovers
 * the previous round's crash and then crashes again.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataFor, recover, segmentNames, tempDir } from './helpers.js';

const child = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures', 'append-child.ts');
const rounds = 3;
/** Kill after this many acknowledged saves: enough for several segments at 16 KiB each. */
const acksBeforeKill = 400;
const roundTimeoutMs = 30_000;

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

/** Runs the child until it has acknowledged `acksBeforeKill` saves, then SIGKILLs it. */
function crashRound(): Promise<{ acked: Map<number, number>; start: number; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked = new Map<number, number>();
    let start = -1;
    let buffered = '';
    let stderr = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`child did not acknowledge ${acksBeforeKill} saves in ${roundTimeoutMs} ms; stderr: ${stderr}`));
    }, roundTimeoutMs);
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [a, b] = line.split(' ');
        if (a === 'start') start = Number(b);
        else acked.set(Number(a), Number(b));
      }
      if (acked.size >= acksBeforeKill && proc.exitCode === null && !proc.killed) proc.kill('SIGKILL');
    });
    proc.on('exit', (_code, signal) => {
      clearTimeout(timer);
      resolve({ acked, start, signal });
    });
  });
}

describe('a process killed with SIGKILL while appending', () => {
  it('recovers every entry whose save had resolved, round after round', async () => {
    let expectedStart = 1;
    for (let round = 0; round < rounds; round++) {
      const { acked, start, signal } = await crashRound();
      expect(signal).toBe('SIGKILL');
      expect(start).toBe(expectedStart);
      const { recovered } = await recover(dir, { segmentBytesMax: 16 * 1024, recordBytesMax: 1024 });
      const byIndex = new Map(recovered.entries.map((e) => [e.index, e]));
      // The log is contiguous from 1 and every acknowledged entry is in it with its data.
      expect(recovered.entries[0]?.index).toBe(1);
      recovered.entries.forEach((e, i) => expect(e.index).toBe(i + 1));
      for (const [index, term] of acked) {
        const e = byIndex.get(index);
        expect(e?.term).toBe(term);
        expect(e?.data).toEqual(dataFor(index, term, 40));
      }
      const highestAcked = Math.max(...acked.keys());
      expect(recovered.entries.length).toBeGreaterThanOrEqual(highestAcked);
      expect(recovered.hardState.commit).toBeGreaterThanOrEqual(highestAcked);
      expectedStart = recovered.entries.length + 1;
    }
    expect((await segmentNames(dir)).length).toBeGreaterThan(3);
  });
});
