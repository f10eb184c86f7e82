import { describe, expect, it } from 'vitest';
import { Network, appliedTexts } from './harness.js';

describe('raft smoke', () => {
  it('elects a leader and replicates a proposal', () => {
    const net = new Network(3);
    net.campaign('n1');
    expect(net.leaders()).toEqual(['n1']);
    net.propose('n1', 'hello');
    for (const t of net.nodes.values()) expect(appliedTexts(t)).toEqual(['hello']);
  });
});
