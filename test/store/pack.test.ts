/** The byte formats the store writes itself: deltas, packs and canonical JSON. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, test } from 'vitest';
import { canonicalJson } from '../../src/store/canonical-json.js';
import { applyDelta, encodeDelta } from '../../src/store/delta.js';
import { objectId } from '../../src/store/git-object.js';
import { buildPack, type NewObject } from '../../src/store/pack-writer.js';
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
