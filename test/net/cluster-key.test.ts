import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateClusterKey, parseClusterKey, readClusterKey } from '../../src/net/index.js';
import { CairnError } from '../../src/util/errors.js';
import { tempDir } from './helpers.js';

const hex = 'a'.repeat(64);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('cluster key', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await tempDir('key')));
  afterAll(async () => cleanup());

  it('generates the standard swarm.key format, different each time', () => {
    const a = new TextDecoder().decode(generateClusterKey());
    const b = new TextDecoder().decode(generateClusterKey());
    expect(a).toMatch(/^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
    expect(parseClusterKey(text(a))).toEqual(text(a));
  });

  it.each([
    ['trailing newline', `/key/swarm/psk/1.0.0/\n/base16/\n${hex}\n`],
    ['CRLF line ends', `/key/swarm/psk/1.0.0/\r\n/base16/\r\n${hex}\r\n`],
    ['upper-case hex', `/key/swarm/psk/1.0.0/\n/base16/\n${hex.toUpperCase()}`],
  ])('accepts %s and canonicalises it', (_name, input) => {
    expect(new TextDecoder().decode(parseClusterKey(text(input)))).toBe(`/key/swarm/psk/1.0.0/\n/base16/\n${hex}`);
  });

  it.each([
    ['empty file', '', /expected 3 lines/],
    ['wrong header', `/key/swarm/psk/2.0.0/\n/base16/\n${hex}`, /first line/],
    ['wrong codec', `/key/swarm/psk/1.0.0/\n/base64/\n${hex}`, /second line/],
    ['short key', `/key/swarm/psk/1.0.0/\n/base16/\n${hex.slice(2)}`, /64 hex digits/],
    ['non-hex key', `/key/swarm/psk/1.0.0/\n/base16/\n${'g'.repeat(64)}`, /64 hex digits/],
    ['extra content', `/key/swarm/psk/1.0.0/\n/base16/\n${hex}\nmore`, /expected 3 lines, found 4/],
  ])('refuses %s with a clear INVALID_INPUT', (_name, input, why) => {
    let caught: unknown;
    try {
      parseClusterKey(text(input), 'swarm.key');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CairnError);
    expect((caught as CairnError).code).toBe('INVALID_INPUT');
    expect((caught as CairnError).message).toMatch(/^swarm\.key is not a valid cluster key: /);
    expect((caught as CairnError).message).toMatch(why);
    expect((caught as CairnError).message).toMatch(/cairn keygen --out FILE/);
  });

  it('reads a key file, and refuses a missing or malformed one', async () => {
    const good = join(dir, 'good.key');
    await writeFile(good, generateClusterKey());
    await chmod(good, 0o600);
    expect(new TextDecoder().decode(await readClusterKey(good))).toMatch(/^\/key\/swarm\/psk\/1\.0\.0\//);

    await expect(readClusterKey(join(dir, 'missing.key'))).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/ENOENT/) });
    const bad = join(dir, 'bad.key');
    await writeFile(bad, 'hello\n');
    await expect(readClusterKey(bad)).rejects.toMatchObject({ code: 'INVALID_INPUT', data: { source: bad } });
  });
});
