/**
 * The chaos simulator over 500 seeds with every fault kind (each seed draws its own mix): a
 * failure prints the seed, the violated property and the command that replays it exactly.
 * `SEED=n` replays one seed; `SIM_SEEDS=a..b` and `SIM_STEPS=s` widen the run.
 */
import { describe, expect, it } from 'vitest';
import { runSeed } from '../../src/sim/run-seed.js';

const nodes = 5;
const steps = Number(process.env.SIM_STEPS ?? 400);

function seedRange(): [number, number] {
  if (process.env.SEED !== undefined) return [Number(process.env.SEED), Number(process.env.SEED)];
  const m = /^(\d+)\.\.(\d+)$/.exec(process.env.SIM_SEEDS ?? '');
  return m === null ? [1, 500] : [Number(m[1]), Number(m[2])];
}

/** Fault kinds that 500 seeds must all exercise. */
const faultKinds = [
  'drop',
  'dup',
  'partition',
  'heal',
  'disconnect-notice',
  'spurious-disconnect',
  'crash',
  'leader-crash',
  'crash-in-ready',
  'all-crash',
  'add-learner',
  'add-voter',
  'promote',
  'remove-voter',
  'remove-learner',
  'transfer',
  'compaction',
  'snapshot-installed',
];

describe('simulator seeds', () => {
  it('holds every safety property, linearizability and liveness after healing', { timeout: 240_000 }, () => {
    const [from, to] = seedRange();
    const seen: Record<string, number> = {};
    let elections = 0;
    let commits = 0;
    for (let seed = from; seed <= to; seed++) {
      const r = runSeed({ seed, nodes, steps });
      if (!r.ok) {
        const replay = `npm run sim -- --seeds ${seed}..${seed} --nodes ${nodes} --steps ${steps}   (or SEED=${seed} npx vitest run test/sim/seeds.test.ts)`;
        process.stdout.write(`simulator violation at seed ${seed}: ${r.violation}\nreplay: ${replay}\n`);
        expect.fail(`seed ${seed}: ${r.violation?.split('\n')[0]}\nreplay: ${replay}`);
      }
      elections += r.elections;
      commits += r.commits;
      for (const [k, v] of Object.entries(r.faults)) seen[k] = (seen[k] ?? 0) + v;
    }
    expect(elections).toBeGreaterThan(0);
    expect(commits).toBeGreaterThan(0);
    if (to - from + 1 >= 500) for (const k of faultKinds) expect(seen[k] ?? 0, `fault kind ${k} never exercised`).toBeGreaterThan(0);
  });
});
