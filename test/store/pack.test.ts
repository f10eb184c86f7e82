/** The byte formats the store writes itself: deltas, packs and canonical JSON. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, test } from 'vitest';
import { deflateSync, inflateSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { canonicalJson } from '../../src/store/canonical-json.js';
import { applyDelta, encodeDelta } from '../../src/store/delta.js';
import { objectId } from '../../src/store/git-object.js';
import { OidFilter } from '../../src/store/oid-filter.js';
import { concatPacks } from '../../src/store/pack-concat.js';
import { PackFile } from '../../src/store/pack-file.js';
import { buildPack, type NewObject } from '../../src/store/pack-writer.js';
import { unzlibStored, zlibStored } from '../../src/store/zlib-stored.js';
import { gitCli, tempDir } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('deltas', () => {
  test('applyDelta(encodeDelta(base, target), base) is target (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.uint8Array({ maxLength: 600 }), fc.nat(600), (base, insert, cut) => {
        // Targets that share a prefix and suffix with the base, as versions of a tree do.
        const at = Math.min(cut, base.length);
        const target = Buffer.concat([base.subarray(0, at), insert, base.subarray(at + (insert.length % 7))]);
        expect(applyDelta(encodeDelta(base, target), base)).toEqual(target);
        expect(applyDelta(encodeDelta(base, insert), base)).toEqual(Buffer.from(insert));
      }),
      { numRuns: 300, seed: Number(process.env['SEED'] ?? 7) },
    );
  });

  test('a one-entry change costs a few dozen bytes', () => {
    const base = Buffer.alloc(7000, 0x61);
    const target = Buffer.concat([base.subarray(0, 3000), Buffer.from('40000 new\0'), Buffer.alloc(20, 1), base.subarray(3000)]);
    expect(encodeDelta(base, target).length).toBeLessThan(50);
  });

  test('a delta that does not fit its base is STORAGE_CORRUPT', () => {
    const d = encodeDelta(Buffer.from('hello world'), Buffer.from('hello there world'));
    expect(() => applyDelta(d, Buffer.from('short'))).toThrow(expect.objectContaining({ code: 'STORAGE_CORRUPT' }) as Error);
    expect(() => applyDelta(d.subarray(0, d.length - 2), Buffer.from('hello world'))).toThrow(/corrupt pack/);
  });
});

describe('stored zlib streams', () => {
  test('what zlibStored writes, zlib and unzlibStored read back; any other stream is left to zlib', () => {
    for (const n of [0, 1, 300, 0xffff, 0x10000, 200_000]) {
      const data = randomBytes(n);
      const stream = zlibStored(data);
      expect(inflateSync(stream)).toEqual(data);
      expect(unzlibStored(stream)).toEqual(data);
      const zlibs = deflateSync(data); // incompressible: zlib stores it too
      expect(unzlibStored(zlibs) ?? inflateSync(zlibs)).toEqual(data);
      expect(unzlibStored(deflateSync(Buffer.alloc(n + 100, 0x61)))).toBeNull(); // compressed blocks
      const damaged = Buffer.from(stream);
      damaged[damaged.length - 1]! ^= 1; // the Adler-32 sum
      expect(unzlibStored(damaged)).toBeNull();
    }
  });
});

describe('the object filter', () => {
  test('holds every id added; other ids are mostly refused', () => {
    const filter = new OidFilter(5000);
    const ids = Array.from({ length: 5000 }, () => randomBytes(20));
    for (const id of ids) filter.add(id, 0);
    expect(ids.every((id) => filter.mayHold(id, 0))).toBe(true);
    const strangers = Array.from({ length: 5000 }, () => randomBytes(20)).filter((id) => filter.mayHold(id, 0));
    expect(strangers.length).toBeLessThan(250); // ~1.5% expected
  });
});

describe('deltas of text', () => {
  test('a record against another record copies the lines they share', () => {
    const a = Buffer.from(canonicalJson({ attempt: 1, job: 'test', jobId: '12.1', labels: ['linux'], node: 'node-1', pipeline: 'build', state: 'running', startedAt: 1_700_000_000_000 }, 'r'));
    const b = Buffer.from(canonicalJson({ attempt: 1, job: 'test', jobId: '13.4', labels: ['linux'], node: 'node-1', pipeline: 'build', state: 'succeeded', startedAt: 1_700_000_003_000 }, 'r'));
    const d = encodeDelta(a, b);
    expect(applyDelta(d, a)).toEqual(b);
    expect(d.length).toBeLessThan(b.length * 0.6);
    expect(encodeDelta(a, b, false).length).toBeGreaterThan(d.length); // prefix and suffix alone
  });
});

describe('packs', () => {
  test('git index-pack accepts a pack with delta chains and computes the same index', async () => {
    const t = await tempDir();
    cleanups.push(t.cleanup);
    const objects: NewObject[] = [];
    let text = '';
    for (let i = 0; i < 120; i++) {
      text += `line ${i}\n`;
      const content = Buffer.from(text);
      objects.push({ oid: objectId('blob', content), type: 'blob', content, path: 'blob:grow' });
    }
    const lone = Buffer.from('alone');
    objects.push({ oid: objectId('blob', lone), type: 'blob', content: lone, path: null });
    const built = buildPack(objects);
    await gitCli(['init', '--quiet', '--bare', t.dir]);
    const packPath = join(t.dir, 'test.pack');
    await writeFile(packPath, built.pack);
    const out = await gitCli(['index-pack', '--strict', '-o', join(t.dir, 'test.idx'), packPath], t.dir);
    expect(out).toBe(built.name);
    const verify = await gitCli(['verify-pack', '-v', join(t.dir, 'test.idx')], t.dir);
    expect(verify).toMatch(/chain length = 50: /); // depth capped at deltaDepthMax
    expect(verify).not.toMatch(/chain length = 51/);
    expect(await readFile(join(t.dir, 'test.idx'))).toEqual(built.idx);
  });

  test('joined packs get the index git computes; packs sharing an object are not joined', async () => {
    const t = await tempDir();
    cleanups.push(t.cleanup);
    const blob = (text: string): NewObject => {
      const content = Buffer.from(text);
      return { oid: objectId('blob', content), type: 'blob', content, path: `blob:${text.length % 3}` };
    };
    const sets = [[0, 400], [400, 430], [430, 440]].map(([a, b]) => Array.from({ length: b! - a! }, (_, i) => blob(`record ${a! + i}\n`.repeat(3))));
    const open = async (objects: NewObject[], name: string): Promise<PackFile> => {
      const built = buildPack(objects);
      await writeFile(join(t.dir, `${name}.pack`), built.pack);
      const pack = await PackFile.open(join(t.dir, `${name}.pack`), join(t.dir, `${name}.idx`), built.idx);
      cleanups.push(() => pack.close());
      return pack;
    };
    const packs = [await open(sets[0]!, 'a'), await open(sets[1]!, 'b'), await open(sets[2]!, 'c')];
    const chunks: Buffer[] = [];
    const joined = await concatPacks(packs, async (c) => { chunks.push(c); });
    expect(joined).not.toBeNull();
    await gitCli(['init', '--quiet', '--bare', t.dir]);
    await writeFile(join(t.dir, 'joined.pack'), Buffer.concat(chunks));
    await gitCli(['index-pack', '--strict', '-o', join(t.dir, 'joined.idx'), join(t.dir, 'joined.pack')], t.dir);
    expect(await readFile(join(t.dir, 'joined.idx'))).toEqual(joined!.idx);
    const overlapping = await open([...sets[2]!.slice(0, 3), blob('new\n')], 'd');
    expect(await concatPacks([packs[0]!, overlapping, packs[2]!], async () => undefined)).toBeNull();
  });
});

describe('canonical JSON', () => {
  test('keys are sorted at every level, with two-space indent and a trailing newline', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null }, u: undefined }, 'x')).toBe(
      '{\n  "a": {\n    "c": null,\n    "d": [\n      {\n        "y": 2,\n        "z": 1\n      }\n    ]\n  },\n  "b": 1\n}\n',
    );
  });

  test('equal values encode equally whatever their key order (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed, 'x')).toBe(canonicalJson(obj, 'x'));
        expect(JSON.parse(canonicalJson(obj, 'x'))).toEqual(JSON.parse(JSON.stringify(obj)));
      }),
      { numRuns: 200, seed: 3 },
    );
  });

  test('values JSON cannot carry exactly are refused', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    for (const v of [Number.POSITIVE_INFINITY, 1n, () => 1, cyclic, new Map()]) {
      expect(() => canonicalJson(v, 'value')).toThrow(/not plain JSON/);
    }
  });
});
