import { describe, expect, test } from 'vitest';
import { expandMatrix, instanceKey, type JsonValue, type MatrixSpec } from '../../src/pipeline/index.js';

const spec = (m: Partial<MatrixSpec>): MatrixSpec => ({ axes: {}, include: [], exclude: [], failFast: true, ...m });
const limit = 256;

/** Examples from GitHub's docs, "Running variations of jobs in a workflow". */
describe('expandMatrix follows GitHub', () => {
  test('the cartesian product, in the order written', () => {
    expect(expandMatrix(spec({ axes: { version: [10, 12, 14], os: ['ubuntu-latest', 'windows-latest'] } }), limit)).toEqual([
      { version: 10, os: 'ubuntu-latest' },
      { version: 10, os: 'windows-latest' },
      { version: 12, os: 'ubuntu-latest' },
      { version: 12, os: 'windows-latest' },
      { version: 14, os: 'ubuntu-latest' },
      { version: 14, os: 'windows-latest' },
    ]);
  });

  test('include extends matching combinations, overwrites only added values, and adds what fits nowhere', () => {
    const m = spec({
      axes: { fruit: ['apple', 'pear'], animal: ['cat', 'dog'] },
      include: [
        { color: 'green' },
        { color: 'pink', animal: 'cat' },
        { fruit: 'apple', shape: 'circle' },
        { fruit: 'banana' },
        { fruit: 'banana', animal: 'cat' },
      ],
    });
    expect(expandMatrix(m, limit)).toEqual([
      { fruit: 'apple', animal: 'cat', color: 'pink', shape: 'circle' },
      { fruit: 'apple', animal: 'dog', color: 'green', shape: 'circle' },
      { fruit: 'pear', animal: 'cat', color: 'pink' },
      { fruit: 'pear', animal: 'dog', color: 'green' },
      { fruit: 'banana' },
      { fruit: 'banana', animal: 'cat' },
    ]);
  });

  test('include adds a value to one combination', () => {
    const m = spec({
      axes: { os: ['windows-latest', 'ubuntu-latest'], node: [14, 16] },
      include: [{ os: 'windows-latest', node: 16, npm: 6 }],
    });
    expect(expandMatrix(m, limit)).toEqual([
      { os: 'windows-latest', node: 14 },
      { os: 'windows-latest', node: 16, npm: 6 },
      { os: 'ubuntu-latest', node: 14 },
      { os: 'ubuntu-latest', node: 16 },
    ]);
  });

  test('include that contradicts every original combination becomes a new one', () => {
    const m = spec({
      axes: { os: ['windows-latest', 'ubuntu-latest'], node: [14, 16] },
      include: [{ os: 'windows-latest', node: 20 }],
    });
    expect(expandMatrix(m, limit)).toHaveLength(5);
    expect(expandMatrix(m, limit)[4]).toEqual({ os: 'windows-latest', node: 20 });
  });

  test('a matrix of include entries only', () => {
    const m = spec({ include: [{ site: 'production', datacenter: 'site-a' }, { site: 'staging', datacenter: 'site-b' }] });
    expect(expandMatrix(m, limit)).toEqual([
      { site: 'production', datacenter: 'site-a' },
      { site: 'staging', datacenter: 'site-b' },
    ]);
  });

  test('exclude removes full and partial matches', () => {
    const m = spec({
      axes: { os: ['macos-latest', 'windows-latest'], version: [12, 14, 16], environment: ['staging', 'production'] },
      exclude: [
        { os: 'macos-latest', version: 12, environment: 'production' },
        { os: 'windows-latest', version: 16 },
      ],
    });
    const out = expandMatrix(m, limit);
    expect(out).toHaveLength(12 - 1 - 2);
    expect(out).not.toContainEqual({ os: 'macos-latest', version: 12, environment: 'production' });
    expect(out.filter((c) => c.os === 'windows-latest' && c.version === 16)).toEqual([]);
  });

  test('exclude runs before include, so include can add back an excluded combination', () => {
    const m = spec({ axes: { os: ['a', 'b'] }, exclude: [{ os: 'b' }], include: [{ os: 'b', extra: 1 }] });
    expect(expandMatrix(m, limit)).toEqual([{ os: 'a' }, { os: 'b', extra: 1 }]);
  });

  test('values may be objects, compared deeply', () => {
    const node: JsonValue = { version: 22, lts: true };
    const m = spec({ axes: { node: [node, { version: 24, lts: false }] }, exclude: [{ node: { version: 24, lts: false } }] });
    expect(expandMatrix(m, limit)).toEqual([{ node }]);
  });

  test('an axis with no values empties the matrix', () => {
    expect(expandMatrix(spec({ axes: { a: [1], b: [] } }), limit)).toEqual([]);
  });

  test('expansion stops past the limit', () => {
    const ten = Array.from({ length: 10 }, (_, i) => i);
    expect(expandMatrix(spec({ axes: { a: ten, b: ten, c: ten, d: ten } }), limit).length).toBe(limit + 1);
  });

  test('instance keys name the job and its values as GitHub does', () => {
    expect(instanceKey('test', undefined)).toBe('test');
    expect(instanceKey('test', {})).toBe('test');
    expect(instanceKey('test', { os: 'ubuntu', node: 22 })).toBe('test (ubuntu, 22)');
    expect(instanceKey('test', { cfg: { a: 1 }, flag: true })).toBe('test ({"a":1}, true)');
  });
});
