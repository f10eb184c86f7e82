import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cairnAsync, project, type Project } from './run-helpers.js';

const projects: Project[] = [];
afterEach(() => {
  for (const p of projects.splice(0)) p.cleanup();
});
beforeAll(assertBuilt);

/** The step prints this much; cairn must log it whole while its memory stays far below it. */
const outputBytes = 100 * 1000 * 1000;
/** Peak resident memory allowed for cairn while it streams `outputBytes` (it holds chunks, not the output). */
const peakRssBytesMax = 160 * 1024 * 1024;

function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

describe('cairn run with a step printing 100 MB of binary', () => {
  it('logs every byte intact with bounded memory', async () => {
    const p = project({ 'cairn.yml': '' });
    projects.push(p);
    const data = join(p.dir, 'data.bin');
    const hash = createHash('sha256');
    const fd = openSync(data, 'w');
    const chunk = 8 * 1000 * 1000;
    for (let written = 0; written < outputBytes; written += chunk) {
      const b = randomBytes(Math.min(chunk, outputBytes - written));
      // The data ends with a newline, so the log adds no byte of its own before the trailer.
      if (written + b.length === outputBytes) b[b.length - 1] = 0x0a;
      hash.update(b);
      writeSync(fd, b);
    }
    closeSync(fd);
    p.write('cairn.yml', `jobs:\n  big:\n    steps:\n      - name: dump\n        run: cat "${data}"\n`);

    const child = cairnAsync(['--json', 'run'], p.dir);
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.resume(); // the live copy of the output; drained, not kept
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(child.pid!))), 20);
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    clearInterval(sampler);
    expect(code, stdout).toBe(0);
    const doc = JSON.parse(stdout) as { jobs: Array<{ logFile: string }> };
    const log = readFileSync(doc.jobs[0]!.logFile);
    const header = Buffer.from('▶ dump\n');
    expect(log.subarray(0, header.length).equals(header)).toBe(true);
    const body = log.subarray(header.length, header.length + outputBytes);
    expect(createHash('sha256').update(body).digest('hex')).toBe(hash.digest('hex'));
    const rest = log.subarray(header.length + outputBytes).toString();
    expect(rest).toMatch(/^✓ dump \([\d.]+ s\)\n● job big: success in [\d.]+ s\n$/);
    expect(log.length).toBe(header.length + outputBytes + Buffer.byteLength(rest));
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(peakRssBytesMax);
  });
});
