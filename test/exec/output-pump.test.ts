import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { pump } from '../../src/exec/output-pump.js';

/** What `seq 1 N` prints, made here to compare against. */
const seqText = (n: number): string => Array.from({ length: n }, (_, i) => `${i + 1}\n`).join('');

/** A real `seq` process's stdout: a socket pair from libuv, as the executor reads it. */
function seqOutput(n: number): { stdout: Socket; exited: Promise<number | null> } {
  const child = spawn('seq', ['1', String(n)], { stdio: ['ignore', 'pipe', 'ignore'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { stdout: child.stdout as Socket, exited };
}

/** Collects what the pump hands on, copied (the bytes are valid only during the call). */
function collector(wait?: () => Promise<void>): { onOutput: (b: Uint8Array) => void | Promise<void>; text: () => string; calls: () => number } {
  const parts: Buffer[] = [];
  return {
    onOutput: (b) => {
      parts.push(Buffer.from(b));
      return wait?.();
    },
    text: () => Buffer.concat(parts).toString('utf8'),
    calls: () => parts.length,
  };
}

const lines = 200_000; // ~1.3 MB: several batches and slab refills

describe('output pump', () => {
  it('reads a process socket into its reused buffer and hands on every byte in order, gathered into batches', async () => {
    const { stdout, exited } = seqOutput(lines);
    const c = collector();
    await pump(stdout, c.onOutput);
    expect(await exited).toBe(0);
    expect(c.text()).toBe(seqText(lines));
    // Gathered: far fewer hand-offs than the pipe's reads of at most 64 KiB would make.
    expect(c.calls()).toBeLessThan(Buffer.byteLength(seqText(lines)) / 16_384);
  });

  it('falls back to data events on a stream without a socket handle, with the same bytes in order', async () => {
    const { stdout, exited } = seqOutput(lines);
    const through = new PassThrough();
    stdout.pipe(through);
    const c = collector();
    // No `_handle.useUserBuffer` here: the pump takes its 'data' path.
    await pump(through as unknown as Socket, c.onOutput);
    expect(await exited).toBe(0);
    expect(c.text()).toBe(seqText(lines));
  });

  it('pauses while the consumer is full and still delivers everything, on both paths', async () => {
    const slow = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 2));
    const direct = seqOutput(lines);
    const a = collector(slow);
    await pump(direct.stdout, a.onOutput);
    expect(a.text()).toBe(seqText(lines));

    const piped = seqOutput(lines);
    const through = new PassThrough();
    piped.stdout.pipe(through);
    const b = collector(slow);
    await pump(through as unknown as Socket, b.onOutput);
    expect(b.text()).toBe(seqText(lines));
  });

  it('rejects with the consumer error and stops handing on output', async () => {
    const { stdout } = seqOutput(lines);
    let calls = 0;
    const failure = pump(stdout, () => {
      calls++;
      throw new Error('disk full');
    });
    await expect(failure).rejects.toThrow('disk full');
    stdout.destroy();
    expect(calls).toBe(1);
  });
});
