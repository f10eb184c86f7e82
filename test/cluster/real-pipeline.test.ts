/** The real parser and planner feeding the state machine: a workflow file through to placements and needs outputs. */
import { describe, expect, it } from 'vitest';
import { parsePipeline, planPipeline } from '../../src/pipeline/index.js';
import { decodeCommand, encodeCommand, jobStatusView } from '../../src/cluster/index.js';
import { Harness } from './fixtures.js';

const workflow = `
name: release
on: push
jobs:
  build:
    runs-on: [self-hosted, linux]
    labels: [maven]
    outputs:
      version: \${{ steps.v.outputs.version }}
    steps:
      - id: v
        run: echo "version=1.2.3" >> "$GITHUB_OUTPUT"
  test:
    needs: build
    runs-on: \${{ matrix.os }}
    strategy:
      matrix:
        os: [linux, darwin]
    steps:
      - run: echo \${{ needs.build.outputs.version }}
  notify:
    needs: test
    if: failure()
    runs-on: self-hosted
    steps:
      - run: echo failed
`;

describe('a parsed and planned workflow in the cluster', () => {
  it('places jobs by their labels on different nodes and passes outputs along', () => {
    const plan = planPipeline(parsePipeline(workflow, 'release.yml'));
    const h = new Harness();
    h.join('java', ['maven']);
    h.join('mac', ['darwin'], 2);
    // The entry travels through the log as bytes.
    const cmd = decodeCommand(encodeCommand({ kind: 'RunSubmitted', plan, source: { repo: 'https://example.com/app.git', ref: 'main' } }));
    const out = h.ok(cmd);
    expect(out.result).toMatchObject({ ok: true, run: { id: '1', jobs: ['1.1', '1.2', '1.3', '1.4'] } });
    expect(['1.1', '1.2', '1.3', '1.4'].map((id) => [h.job(id).name, h.job(id).labels])).toEqual([
      ['build', ['self-hosted', 'linux', 'maven']],
      ['test (linux)', ['linux']],
      ['test (darwin)', ['darwin']],
      ['notify', ['self-hosted']],
    ]);
    expect(h.schedule()).toEqual([{ job: '1.1', node: 'java' }]);
    h.finish('1.1', 'succeeded', { outputs: { version: '1.2.3' } });
    expect(h.schedule()).toEqual([{ job: '1.2', node: 'java' }, { job: '1.3', node: 'mac' }]);
    const starts = h.effectsOf('start-attempt').filter((e) => e.job !== '1.1');
    expect(starts.map((e) => e.needs)).toEqual([
      { build: { result: 'success', outputs: { version: '1.2.3' } } },
      { build: { result: 'success', outputs: { version: '1.2.3' } } },
    ]);
    expect(starts[1]!.source).toEqual({ repo: 'https://example.com/app.git', ref: 'main' });
    h.finish('1.2');
    h.finish('1.3');
    expect(h.job('1.4')).toMatchObject({ state: 'cancelled', result: 'skipped' });
    expect(jobStatusView(h.state, '1')).toMatchObject({ state: 'succeeded', name: 'release' });
  });

  it('refuses at submit a job whose labels no node has, naming the labels that exist', () => {
    const plan = planPipeline(parsePipeline(workflow, 'release.yml'));
    const h = new Harness();
    h.join('java', ['maven']);
    const out = h.refused({ kind: 'RunSubmitted', plan });
    expect(out.result.code).toBe('UNPLACEABLE');
    expect(out.result.message).toMatch(/^no known node can run job test \(darwin\) needing darwin; labels that exist: /);
  });
});
