import { describe, expect, it } from 'vitest';
import { RunWatch, runIdOf } from '../../src/chat/run-watch.js';

describe('RunWatch', () => {
  it('keys a watch by its run, so a one-job submit answered with the job id (7.1) is found by the run-ended event (7)', () => {
    const w = new RunWatch(2);
    w.add({ run: '7.1', pipeline: 'ci', nick: 'alice', target: '#c', request: { name: 'ci' } });
    expect(w.get('7')?.nick).toBe('alice');
    expect(w.get('7.1')?.nick).toBe('alice');
    expect(w.get('17')).toBeUndefined();
    expect(runIdOf('12')).toBe('12');
    expect(runIdOf('12.3')).toBe('12');
  });

  it('forgets the oldest beyond its bound', () => {
    const w = new RunWatch(2);
    for (const run of ['1', '2.1', '3']) w.add({ run, pipeline: 'p', nick: 'n', target: '#c', request: {} });
    expect(w.size).toBe(2);
    expect(w.get('1')).toBeUndefined();
    expect(w.get('2')?.run).toBe('2.1');
  });
});
