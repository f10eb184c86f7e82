import { describe, expect, it } from 'vitest';
import { CairnError } from '../../src/util/errors.js';
import { formatLabelTerm, labelTermsMax, matches, parseLabelTerm, parseLabelTerms, toNodeLabels, effectiveLabels, builtinLabels } from '../../src/scheduler/index.js';

describe('parseLabelTerm', () => {
  const good: Array<[string, ReturnType<typeof parseLabelTerm>]> = [
    ['maven', { kind: 'tag', tag: 'maven', negated: false }],
    ['!gpu', { kind: 'tag', tag: 'gpu', negated: true }],
    ['os=linux', { kind: 'kv', key: 'os', value: 'linux', negated: false }],
    ['os!=darwin', { kind: 'kv', key: 'os', value: 'darwin', negated: true }],
    ['  self-hosted ', { kind: 'tag', tag: 'self-hosted', negated: false }],
    ['node=v22.1', { kind: 'kv', key: 'node', value: 'v22.1', negated: false }],
    ['image=ghcr.io/a/b:1@sha', { kind: 'kv', key: 'image', value: 'ghcr.io/a/b:1@sha', negated: false }],
    ['c++', { kind: 'tag', tag: 'c++', negated: false }],
    ['_x', { kind: 'tag', tag: '_x', negated: false }],
  ];
  it.each(good)('parses %j', (raw, want) => {
    expect(parseLabelTerm(raw)).toEqual(want);
    expect(parseLabelTerm(formatLabelTerm(want))).toEqual(want);
  });

  const bad: Array<[string, RegExp]> = [
    ['', /empty term/],
    ['!', /no tag/],
    ['!!gpu', /more than one "!"/],
    ['=linux', /no key/],
    ['!=linux', /no key/],
    ['os=', /no value/],
    ['os!=', /no value/],
    ['!os=linux', /negate a key=value term as os!=linux/],
    ['a=b=c', /more than one "="/],
    ['has space', /whitespace/],
    ['-dash', /tag "-dash" may use/],
    ['ke y=v', /whitespace/],
    ['k=v v', /whitespace/],
    ['k=v,', /empty term/],
    ['k=$x', /value "\$x" may use/],
    ['x'.repeat(200), /longer than 128/],
  ];
  it.each(bad)('refuses %j', (raw, why) => {
    let err: unknown;
    try {
      parseLabelTerms(raw === '' ? [''] : raw);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CairnError);
    expect((err as CairnError).code).toBe('INVALID_INPUT');
    expect((err as CairnError).exitCode).toBe(2);
    expect((err as CairnError).message).toMatch(why);
    expect((err as CairnError).message).toMatch(/^malformed label term/);
  });
});

describe('parseLabelTerms', () => {
  it('splits commas in strings and in list items, drops duplicates case-insensitively', () => {
    expect(parseLabelTerms('maven, os=linux').map(formatLabelTerm)).toEqual(['maven', 'os=linux']);
    expect(parseLabelTerms(['self-hosted', 'linux,x64', 'Linux']).map(formatLabelTerm)).toEqual(['self-hosted', 'linux', 'x64']);
    expect(parseLabelTerms('')).toEqual([]);
    expect(parseLabelTerms([])).toEqual([]);
  });
  it('bounds the number of terms', () => {
    const many = Array.from({ length: labelTermsMax + 1 }, (_, i) => `t${i}`);
    expect(() => parseLabelTerms(many)).toThrow(/too many label terms/);
  });
});

describe('node labels', () => {
  it('has the built-ins so runs-on [self-hosted, linux] just works', () => {
    const labels = effectiveLabels({ name: 'n1', os: 'linux', arch: 'x64', labels: ['maven'] });
    expect(labels).toEqual(['os=linux', 'arch=x64', 'name=n1', 'self-hosted', 'linux', 'x64', 'maven']);
    expect(builtinLabels({ name: 'n1', os: 'linux', arch: 'x64' })).toHaveLength(6);
  });
  it('lets an operator value replace a built-in with the same key, and refuses negation', () => {
    expect(effectiveLabels({ name: 'a', os: 'linux', arch: 'arm64', labels: ['os=ubuntu', 'arm64'] })).toEqual(['arch=arm64', 'name=a', 'self-hosted', 'linux', 'arm64', 'os=ubuntu']);
    expect(() => effectiveLabels({ name: 'a', os: 'linux', arch: 'x64', labels: ['!gpu'] })).toThrow(/cannot be negated/);
  });
});

describe('matches', () => {
  const node = toNodeLabels(effectiveLabels({ name: 'build-1', os: 'linux', arch: 'x64', labels: ['maven', 'gpu=a100', 'jdk=21'] }));
  const table: Array<[string, boolean]> = [
    ['', true],
    ['maven', true],
    ['Maven', true],
    ['cargo', false],
    ['!cargo', true],
    ['!maven', false],
    ['os=linux', true],
    ['OS=Linux', true],
    ['os=darwin', false],
    ['os!=darwin', true],
    ['os!=linux', false],
    ['missing!=x', true],
    ['missing=x', false],
    ['gpu', true],
    ['!gpu', false],
    ['gpu=a100', true],
    ['gpu!=h100', true],
    ['self-hosted,linux,x64', true],
    ['self-hosted,linux,arm64', false],
    ['name=build-1', true],
    ['name=build-2', false],
    ['maven,jdk=21,!cargo', true],
    ['maven,jdk!=21', false],
  ];
  it.each(table)('%j → %s', (terms, want) => {
    expect(matches(parseLabelTerms(terms), node)).toBe(want);
  });
});
