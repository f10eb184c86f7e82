import { initialReplState, type ReplState } from '../../src/repl-client/index.js';

/** A fixed moment, so spinners and durations are the same on every run. */
export const t0 = 1_700_000_000_000;

/** A busy REPL: three nodes (one down), jobs, a followed job mid-step with coloured output, events, an answer. */
export function busyState(): ReplState {
  const s = initialReplState('http://127.0.0.1:7070', t0);
  return {
    ...s,
    now: t0 + 3_250,
    header: {
      ...s.header,
      cluster: 'lab',
      attachedUrl: 'http://127.0.0.1:7071',
      attachedName: 'beta',
      leader: 'beta',
      term: 7,
      connection: 'attached',
      nodes: [
        { name: 'alpha', id: 'p1', addrs: [], labels: ['maven', 'os=linux'], role: 'voter', state: 'down', slots: 4, running: 0, api: 'http://127.0.0.1:7070', reason: 'heartbeats missed' },
        { name: 'beta', id: 'p2', addrs: [], labels: ['cargo', 'os=linux'], role: 'leader', state: 'up', slots: 4, running: 1, api: 'http://127.0.0.1:7071', reason: null },
        { name: 'gamma', id: 'p3', addrs: [], labels: ['gpu', 'os=linux'], role: 'voter', state: 'up', slots: 2, running: 0, api: 'http://127.0.0.1:7072', reason: null },
      ],
      notices: [{ at: t0, text: 'reattached to beta (alpha stopped answering)', tone: 'warn' }],
    },
    jobs: [
      { id: '7.1', name: 'build', state: 'running', node: 'beta', labels: ['cargo'], attempt: 2, pipeline: 'ci.yml', reason: null },
      { id: '7.2', name: 'test-with-a-very-long-name-indeed', state: 'queued', node: null, labels: ['gpu'], attempt: 0, pipeline: 'ci.yml', reason: 'waiting for 7.1 (needs)' },
      { id: '6.1', name: 'lint', state: 'failed', node: 'alpha', labels: [], attempt: 1, pipeline: 'ci.yml', reason: 'exit code 1' },
    ],
    follows: [
      {
        job: '7.1', state: 'following', live: true, next: 5, bytes: 120, gaps: 0, resumes: 1, error: null,
        steps: [
          { name: 'checkout', state: 'success', startedAt: t0 - 5000, durationMs: 420, detail: null },
          { name: 'lint', state: 'skipped', startedAt: null, durationMs: 0, detail: null },
          { name: 'cargo build', state: 'running', startedAt: t0, durationMs: null, detail: null },
        ],
      },
    ],
    log: [
      { job: '7.1', seq: 0, text: '▶ checkout' },
      { job: '7.1', seq: 1, text: '✓ checkout (0.42 s)' },
      { job: '7.1', seq: 2, text: '▶ cargo build' },
      { job: '7.1', seq: 3, text: '   \u001b[1m\u001b[32mCompiling\u001b[0m cairn v0.1.0 (/work/a/very/long/path/that/goes/on/and/on/for/quite/a/while/indeed/yes)' },
    ],
    events: [
      { at: t0, kind: 'node-down', text: 'node alpha lost: heartbeats missed', tone: 'bad' },
      { at: t0 + 1, kind: 'leader-changed', text: 'leader is now beta, term 7 (was alpha)', tone: 'warn' },
      { at: t0 + 2, kind: 'job-retried', text: 'job 7.1 build retried: attempt 2 (node-lost on alpha)', tone: 'warn' },
    ],
    output: [{ id: 1, at: t0, command: 'why 7.2', kind: 'text', tone: 'info', lines: ['7.2: waiting for 7.1 (needs)'] }],
    input: { text: 'logs 7.', cursor: 7, candidates: ['7.1', '7.2'] },
  };
}
