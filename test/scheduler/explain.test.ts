import { describe, expect, it } from 'vitest';
import { CairnError } from '../../src/util/errors.js';
import type { NodeView } from '../../src/scheduler/index.js';
import { canEverRun, explain, parseLabelTerms, toNodeLabels, unplaceableError } from '../../src/scheduler/index.js';

function node(name: string, labels: string[], slots: number, running = 0, extra: Partial<NodeView> = {}): NodeView {
  return { name, labels: toNodeLabels(labels), slots, running, up: true, draining: false, ...extra };
}

describe('explain', () => {
  it('says that matching nodes are busy, with their slots', () => {
    const e = explain(parseLabelTerms('maven'), [node('a', ['maven'], 2, 2), node('b', ['maven'], 2, 2), node('c', ['cargo'], 4)]);
    expect(e.text).toBe('no node with label maven has a free slot; 2 nodes with maven are busy (4/4 slots)');
    expect(e.code).toBe('matching-nodes-busy');
    expect(e.matching).toEqual({ free: [], busy: ['a', 'b'], down: [], draining: [] });
    expect(e.busySlots).toEqual({ used: 4, total: 4 });
  });

  it('says when no matching node is up', () => {
    const e = explain(parseLabelTerms('maven,os=linux'), [node('a', ['maven', 'os=linux'], 2, 0, { up: false }), node('c', ['cargo'], 4)]);
    expect(e.text).toBe('no node with labels maven, os=linux is up; 1 node with maven, os=linux is down (a)');
    expect(e.code).toBe('matching-nodes-down');
  });

  it('names both busy and down nodes', () => {
    const e = explain(parseLabelTerms('maven'), [node('a', ['maven'], 2, 2), node('b', ['maven'], 2, 2), node('z', ['maven'], 1, 0, { up: false })]);
    expect(e.text).toBe('no node with label maven has a free slot; 2 nodes with maven are busy (4/4 slots); 1 node with maven is down (z)');
  });

  it('lists the unmet terms and the labels that exist when nothing matches', () => {
    const e = explain(parseLabelTerms('gpu,!cargo'), [node('a', ['maven'], 2), node('c', ['cargo', 'gpu'], 4)]);
    expect(e.code).toBe('no-node-matches');
    expect(e.unmet).toEqual([{ node: 'a', terms: ['gpu'] }, { node: 'c', terms: ['!cargo'] }]);
    expect(e.text).toBe('no known node has labels gpu, !cargo; labels that exist: cargo, gpu, maven');
  });

  it('says when the job could run now', () => {
    expect(explain([], [node('a', [], 1)]).code).toBe('can-run');
    expect(explain([], []).text).toBe('no node has joined the cluster');
  });
});

describe('canEverRun', () => {
  const known = [toNodeLabels(['maven', 'os=linux']), toNodeLabels(['cargo'])];
  it('accepts terms some known node satisfies, even a down or busy one', () => {
    expect(canEverRun(parseLabelTerms('cargo'), known)).toEqual({ ok: true });
  });
  it('refuses with the labels that exist, as UNPLACEABLE exit 2', () => {
    const r = canEverRun(parseLabelTerms('gpu'), known);
    expect(r).toEqual({ ok: false, labelsThatExist: ['cargo', 'maven', 'os=linux'] });
    const err = unplaceableError(parseLabelTerms('gpu'), r.ok ? [] : r.labelsThatExist, '4.1');
    expect(err).toBeInstanceOf(CairnError);
    expect(err.code).toBe('UNPLACEABLE');
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe('no known node can run job 4.1 needing gpu; labels that exist: cargo, maven, os=linux');
    expect(err.data).toEqual({ terms: ['gpu'], labelsThatExist: ['cargo', 'maven', 'os=linux'], job: '4.1' });
  });
});
