import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/lifecycle.ts', import.meta.url));

describe('network lifecycle', () => {
  it('leaves nothing running after stop: the process exits by itself', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<{ code: number | null; afterStopMs: number }>((resolve) => {
      let stoppedAt = 0;
      child.stdout.on('data', () => {
        if (stoppedAt === 0 && out.includes('stopped')) stoppedAt = performance.now();
      });
      child.once('exit', (code) => resolve({ code, afterStopMs: performance.now() - stoppedAt }));
    });
    // A process kept alive by a leaked handle would never exit: bound the wait and kill it.
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const { code, afterStopMs } = await exited;
    clearTimeout(timer);
    expect(err).toBe('');
    expect(out).toBe('stopped\n');
    expect(code).toBe(0);
    expect(afterStopMs).toBeLessThan(2_000);
  });
});
