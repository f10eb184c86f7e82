import { closeSync, existsSync, fstatSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JobLog, StepOutput, logWriteAheadBytesMax } from '../../src/exec/job-log.js';
import { SecretSet } from '../../src/exec/masker.js';

const dir = mkdtempSync(join(tmpdir(), 'cairn-job-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes until one is refused (the background write failed), for at most `timeoutMs`. */
async function writeUntilRefused(log: JobLog, timeoutMs = 5_000): Promise<unknown> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    try {
      await log.write(Buffer.from('more\n'));
    } catch (err) {
      return err;
    }
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`no write was refused within ${timeoutMs} ms`);
}

/** A promise with its resolver, to hold `onOutput` until the test lets it go. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => {
    open = r;
  });
  return { promise, open };
}

describe('JobLog', () => {
  it('keeps the order of writes and lines, and hands each write to onOutput once it is in the file', async () => {
    const file = join(dir, 'order.log');
    const seen: Buffer[] = [];
    const onDisk: boolean[] = [];
    let offset = 0;
    const log = JobLog.open(file, (b) => {
      // The log service indexes and serves these bytes from the file: they must be there.
      offset += b.length;
      onDisk.push(statSync(file).size >= offset);
      seen.push(Buffer.from(b));
    });
    const secrets = new SecretSet();
    secrets.add('hunter2');
    const writes: Array<Promise<void>> = [];
    writes.push(log.write(Buffer.from('no newline')));
    log.note('▶ step with hunter2', secrets);
    for (let i = 0; i < 200; i++) writes.push(log.write(Buffer.from(`line ${i}\n`)));
    writes.push(log.line('trailer', secrets));
    await Promise.all(writes);
    await log.close();
    const expected = 'no newline\n▶ step with ***\n' + Array.from({ length: 200 }, (_, i) => `line ${i}\n`).join('') + 'trailer\n';
    expect(readFileSync(file, 'utf8')).toBe(expected);
    expect(Buffer.concat(seen).toString()).toBe(expected);
    expect(onDisk.every(Boolean)).toBe(true);
    expect(log.bytes).toBe(Buffer.byteLength(expected));
  });

  it('takes writes ahead of a slow onOutput up to its limit, then makes the producer wait', async () => {
    const held = gate();
    const log = JobLog.open(join(dir, 'slow.log'), () => held.promise);
    const piece = Buffer.alloc(64 * 1024, 0x61);
    const pieces = Math.ceil(logWriteAheadBytesMax / piece.length);
    // Within the limit every write returns at once, although onOutput has not returned.
    for (let i = 0; i < pieces; i++) await log.write(piece);
    let waited = true;
    const over = log.write(piece).then(() => {
      waited = false;
    });
    // It cannot resolve while onOutput holds the bytes: a few turns of the loop show it waits.
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(waited).toBe(true);
    held.open();
    await over;
    await log.close();
    expect(statSync(join(dir, 'slow.log')).size).toBe((pieces + 1) * piece.length);
  });

  it('reports a failed onOutput to later writes and to close()', async () => {
    const log = JobLog.open(join(dir, 'fail.log'), () => {
      throw new Error('sink broke');
    });
    await log.write(Buffer.from('first\n'));
    expect(await writeUntilRefused(log)).toMatchObject({ message: 'sink broke' });
    await expect(log.close()).rejects.toThrow('sink broke');
  });

  it('open() makes the directory the file needs, and truncates a file that is there', async () => {
    const file = join(dir, 'new', 'er', 'made.log');
    const first = JobLog.open(file);
    await first.write(Buffer.from('a longer first life\n'));
    await first.close();
    const again = JobLog.open(file);
    await again.write(Buffer.from('second\n'));
    await again.close();
    expect(readFileSync(file, 'utf8')).toBe('second\n');
  });

  it('attach() writes through a descriptor its owner opened, and leaves it open for the owner to close', async () => {
    const file = join(dir, 'attached.log');
    const fd = openSync(file, 'w');
    const handed: string[] = [];
    const log = JobLog.attach(file, fd, (b) => void handed.push(Buffer.from(b).toString()));
    await log.write(Buffer.from('through the owner\n'));
    log.note('a line of its own', new SecretSet());
    await log.close();
    expect(readFileSync(file, 'utf8')).toBe('through the owner\na line of its own\n');
    expect(handed.join('')).toBe('through the owner\na line of its own\n');
    // Still open: the owner syncs and closes it after the job.
    expect(fstatSync(fd).size).toBe(Buffer.byteLength('through the owner\na line of its own\n'));
    closeSync(fd);
  });

  it.runIf(existsSync('/dev/full'))('reports a full disk to later writes and to close()', async () => {
    const log = JobLog.open('/dev/full');
    await log.write(Buffer.from('lost\n'));
    expect(await writeUntilRefused(log)).toMatchObject({ code: 'ENOSPC' });
    await expect(log.close()).rejects.toMatchObject({ code: 'ENOSPC' });
  });
});

describe('StepOutput', () => {
  it('masks a secret split across writes and drops ::add-mask:: lines before the file, keeping none of the bytes it is handed', async () => {
    const file = join(dir, 'step.log');
    const log = JobLog.open(file);
    const secrets = new SecretSet();
    secrets.add('s3cr3t-value');
    const out = new StepOutput(log, secrets);
    for (const w of ['a s3cr', '3t-val', 'ue b\n::add-m', 'ask::other\n', 'then oth', 'er here\n']) {
      // The executor reads the next output into the same memory once a call returns.
      const piece = Buffer.from(w);
      const wait = out.push(piece);
      piece.fill(0x3a);
      await wait;
    }
    await out.flush();
    await log.close();
    expect(readFileSync(file, 'utf8')).toBe('a *** b\nthen *** here\n');
  });
});
