import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MaskingStream, SecretSet } from '../../src/exec/masker.js';

function maskAll(secrets: string[], writes: Array<string | Buffer>): Buffer {
  const set = new SecretSet();
  for (const s of secrets) set.add(s);
  const m = new MaskingStream(set);
  const out = writes.map((w) => Buffer.from(m.push(Buffer.from(w))));
  return Buffer.concat([...out, Buffer.from(m.flush())]);
}

/** The oracle: mask the whole text at once, earliest match first, longer secret on a tie. */
function naive(secrets: string[], text: string): string {
  const vals = secrets.filter((s) => s.trim() !== '');
  let out = '';
  let i = 0;
  while (i < text.length) {
    const hit = vals.filter((v) => text.startsWith(v, i)).sort((a, b) => b.length - a.length)[0];
    if (hit !== undefined) {
      out += '***';
      i += hit.length;
    } else out += text[i++];
  }
  return out;
}

describe('MaskingStream', () => {
  it.each([
    [['hunter2'], ['pw=hunter2\n'], 'pw=***\n'],
    [['hunter2'], ['pw=hun', 'ter2 ok'], 'pw=*** ok'],
    [['hunter2'], ['h', 'u', 'n', 't', 'e', 'r', '2', '!'], '***!'],
    [['hunter2'], ['hunter', '!'], 'hunter!'],
    [['abc', 'abcdef'], ['xabcdefy'], 'x***y'],
    [['s3cr3t'], ['a s3cr3t b s3cr3t'], 'a *** b ***'],
    [['line1\nline2'], ['x line2 y'], 'x *** y'],
    [['  '], ['a  b'], 'a  b'],
  ] as const)('masks %j in %j', (secrets, writes, expected) => {
    expect(maskAll([...secrets], [...writes]).toString()).toBe(expected);
  });

  it('passes binary bytes through untouched when nothing matches', () => {
    const bin = Buffer.from([0xff, 0x00, 0xc3, 0x28, 0x0a]);
    expect(maskAll(['zz'], [bin])).toEqual(bin);
  });

  it('holds back only a possible secret prefix', () => {
    const set = new SecretSet();
    set.add('topsecret');
    const m = new MaskingStream(set);
    expect(Buffer.from(m.push(Buffer.from('hello top'))).toString()).toBe('hello ');
    expect(Buffer.from(m.push(Buffer.from('ic'))).toString()).toBe('topic');
  });

  it('matches a naive whole-text oracle for any split of any text', () => {
    const alphabet = fc.constantFrom('a', 'b', 'c', '\n');
    const word = fc.array(alphabet, { minLength: 1, maxLength: 6 }).map((a) => a.join(''));
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 3 }), fc.array(word, { maxLength: 12 }), (secrets, writes) => {
        const text = writes.join('');
        const single = secrets.filter((s) => !s.includes('\n'));
        fc.pre(single.length === secrets.length);
        expect(maskAll(secrets, writes).toString()).toBe(naive(secrets, text));
      }),
      { numRuns: 500 },
    );
  });
});
