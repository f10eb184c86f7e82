import { afterEach, describe, expect, it } from 'vitest';
import { startProcess } from '../../src/exec/process.js';
import { markerSleep, processesWith, tempDir, waitFor } from './helpers.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function collect(): { chunks: Buffer[]; onOutput: (b: Uint8Array) => void; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  return { chunks, onOutput: (b) => void chunks.push(Buffer.from(b)), bytes: () => Buffer.concat(chunks) };
}

function run(argv: string[], extra: Partial<Parameters<typeof startProcess>[0]> = {}) {
  const t = tempDir();
  cleanups.push(t.cleanup);
  const out = collect();
  const p = startProcess({ argv, cwd: t.dir, env: { PATH: process.env.PATH ?? '' }, onOutput: out.onOutput, ...extra });
  return { p, out };
}

describe('startProcess', () => {
  it('joins stdout and stderr in the order they were written', async () => {
    const { p, out } = run(['bash', '-c', 'for i in 1 2 3; do echo out$i; echo err$i >&2; done; exit 3']);
    const r = await p.done;
    expect(r.exitCode).toBe(3);
    expect(out.bytes().toString()).toBe('out1\nerr1\nout2\nerr2\nout3\nerr3\n');
  });

  it('keeps binary and invalid UTF-8 bytes exactly', async () => {
    const { p, out } = run(['bash', '-c', "printf '\\xff\\xfe\\x00\\x01\\xc3\\x28 end'"]);
    await p.done;
    expect(out.bytes()).toEqual(Buffer.from([0xff, 0xfe, 0x00, 0x01, 0xc3, 0x28, 0x20, 0x65, 0x6e, 0x64]));
  });

  it('does not wait for a background child holding the pipe, and terminate() ends it', async () => {
    const mark = markerSleep();
    const { p } = run(['bash', '-c', `sleep ${mark} & echo started`]);
    const r = await p.done;
    expect(r.exitCode).toBe(0);
    expect(processesWith(mark).length).toBe(1);
    await p.terminate();
    expect(processesWith(mark)).toEqual([]);
  });

  it('a timeout ends the whole process group', async () => {
    const mark = markerSleep();
    const { p } = run(['bash', '-c', `sleep ${mark} & sleep ${mark}`], { timeoutMs: 1_500 });
    expect(await waitFor(() => processesWith(mark).length === 2, 5_000)).toBe(true);
    const r = await p.done;
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBe(null);
    expect(processesWith(mark)).toEqual([]);
  });

  it('abort sends SIGTERM, then SIGKILL after the grace period to what ignores it', async () => {
    const mark = markerSleep();
    const ac = new AbortController();
    const { p, out } = run(['bash', '-c', `trap '' TERM; echo ready; sleep ${mark}`], { signal: ac.signal, killGraceMs: 300 });
    expect(await waitFor(() => out.bytes().toString().includes('ready') && processesWith(mark).length === 1, 5_000)).toBe(true);
    const t0 = performance.now();
    ac.abort();
    const r = await p.done;
    expect(r.cancelled).toBe(true);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(250);
    expect(processesWith(mark)).toEqual([]);
  });

  it('stops reading while the consumer is full (a pending promise), then delivers every byte in order', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const chunks: Buffer[] = [];
    // 4 MB: far more than the pipe and the stream buffer hold, so the writer must wait for us.
    const { p } = run(['bash', '-c', 'head -c 4000000 /dev/zero | tr "\\0" x'], {
      onOutput: (b) => {
        chunks.push(Buffer.from(b));
        return chunks.length === 1 ? held : undefined;
      },
    });
    expect(await waitFor(() => chunks.length > 0, 10_000)).toBe(true);
    // Held: however many turns of the loop pass, no second chunk is taken.
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(chunks.length).toBe(1);
    release();
    const r = await p.done;
    expect(r.exitCode).toBe(0);
    const all = Buffer.concat(chunks);
    expect(all.length).toBe(4_000_000);
    expect(all.every((c) => c === 0x78)).toBe(true);
  });

  it('hands on many small writes in a few batches, every byte in order, reading the next output into the same memory', async () => {
    // ~2 MB in 8 KiB writes, as C stdio flushes: ~250 pipe reads, far fewer calls.
    const copies: Buffer[] = [];
    const memory = new Set<ArrayBufferLike>();
    const { p } = run(['bash', '-c', 'seq 1 300000 | dd bs=8192 obs=8192 status=none'], {
      onOutput: (b) => {
        // The bytes are valid only during the call: a consumer that keeps them copies them.
        copies.push(Buffer.from(b));
        memory.add(b.buffer);
      },
    });
    const r = await p.done;
    expect(r.exitCode).toBe(0);
    const text = Buffer.concat(copies).toString();
    expect(text).toBe(Array.from({ length: 300_000 }, (_, i) => `${i + 1}\n`).join(''));
    expect(copies.length).toBeLessThan(text.length / 8192 / 2);
    // No buffer per batch: one, grown once to a batch's size, holds them all.
    expect(memory.size).toBeLessThanOrEqual(2);
  });

  it('stops a process whose output cannot be delivered', async () => {
    const mark = markerSleep();
    const t = tempDir();
    cleanups.push(t.cleanup);
    const p = startProcess({
      argv: ['bash', '-c', `while :; do echo spam; done & sleep ${mark}`],
      cwd: t.dir,
      env: { PATH: process.env.PATH ?? '' },
      onOutput: () => {
        throw new Error('disk full');
      },
      killGraceMs: 500,
    });
    const r = await p.done;
    expect(r.exitCode).not.toBe(0);
    expect(processesWith(mark)).toEqual([]);
  });

  it('reports a start error for a missing working directory', async () => {
    const out = collect();
    const p = startProcess({ argv: ['true'], cwd: '/nonexistent/cairn', env: {}, onOutput: out.onOutput });
    const r = await p.done;
    expect(r.exitCode).toBe(null);
    expect(r.startError).toMatch(/ENOENT|nonexistent/);
  });
});
