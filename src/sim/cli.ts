/**
 * `npm run sim -- --seeds A..B [--nodes N] [--steps S]`: runs seeded chaos simulations. Stops
 * at the first violation (prints it, the seed, and the exact replay command; exit 1), else
 * prints one summary line: `seeds: <count>, violations: 0, elections: <n>, commits: <n>`.
 */
import { runSeed } from './run-seed.js';

export const simStepsDefault = 1000;
export const simNodesDefault = 5;

interface Args {
  from: number;
  to: number;
  nodes: number;
  steps: number;
}

function usage(msg: string): never {
  process.stderr.write(`${msg}\nusage: npm run sim -- --seeds A..B [--nodes N] [--steps S]\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const args: Args = { from: 1, to: 100, nodes: simNodesDefault, steps: simStepsDefault };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) usage(`missing value for ${flag}`);
    i++;
    if (flag === '--seeds') {
      const m = /^(\d+)(?:\.\.(\d+))?$/.exec(value);
      if (m === null) usage(`bad --seeds ${value}`);
      args.from = Number(m[1]);
      args.to = Number(m[2] ?? m[1]);
      if (args.to < args.from) usage('empty seed range');
    } else if (flag === '--nodes') {
      args.nodes = Number(value);
      if (!Number.isInteger(args.nodes) || args.nodes < 1 || args.nodes > 9) usage('--nodes must be 1..9');
    } else if (flag === '--steps') {
      args.steps = Number(value);
      if (!Number.isInteger(args.steps) || args.steps < 1) usage('--steps must be a positive integer');
    } else {
      usage(`unknown flag ${flag}`);
    }
  }
  return args;
}

const args = parseArgs(process.argv.slice(2));
let elections = 0;
let commits = 0;
for (let seed = args.from; seed <= args.to; seed++) {
  const r = runSeed({ seed, nodes: args.nodes, steps: args.steps });
  elections += r.elections;
  commits += r.commits;
  // Long background batches report progress on stderr (stdout keeps its one summary line).
  if (process.env.SIM_PROGRESS !== undefined && (seed - args.from + 1) % 250 === 0) process.stderr.write(`progress: seed ${seed}\n`);
  if (!r.ok) {
    process.stdout.write(`VIOLATION at seed ${seed}: ${r.violation}\n`);
    process.stdout.write(`replay: npm run sim -- --seeds ${seed}..${seed} --nodes ${args.nodes} --steps ${args.steps}\n`);
    process.exit(1);
  }
}
process.stdout.write(`seeds: ${args.to - args.from + 1}, violations: 0, elections: ${elections}, commits: ${commits}\n`);
