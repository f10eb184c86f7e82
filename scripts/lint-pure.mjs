// Keeps the deterministic cores deterministic (STYLE.md §1): no Node built-ins, no I/O
// libraries, no wall clock, randomness or timers inside these folders. Tests are exempt.
// A plain scanner rather than ESLint: one rule, no plugin chain, runs in ~20 ms.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const PURE = ['src/raft', 'src/cluster', 'src/scheduler', 'src/pipeline', 'src/logs'];
const FORBIDDEN = [
  [/from\s+['"]node:/, 'imports a node: built-in'],
  [/from\s+['"](fs|path|os|child_process|net|crypto|timers)['"]/, 'imports a Node built-in'],
  [/from\s+['"](libp2p|@libp2p\/|@chainsafe\/|isomorphic-git|execa|fastify)/, 'imports an I/O library'],
  [/\brequire\(/, 'uses require()'],
  [/\bDate\.now\b|\bnew Date\(/, 'reads the wall clock (inject a Clock)'],
  [/\bMath\.random\b/, 'uses Math.random (inject a Random)'],
  [/\bset(Timeout|Interval|Immediate)\s*\(/, 'uses a timer (use tick())'],
  [/\bprocess\./, 'touches process'],
];

function* files(dir) {
  let names;
  try { names = readdirSync(dir); } catch { return; }
  for (const name of names) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) yield p;
  }
}

let bad = 0;
for (const dir of PURE) {
  for (const file of files(dir)) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (/^\s*(\/\/|\*)/.test(line) || line.includes('lint-pure-allow')) return;
      for (const [re, why] of FORBIDDEN) {
        if (re.test(line)) { bad++; console.error(`${file}:${i + 1}: ${why}: ${line.trim()}`); }
      }
    });
  }
}
if (bad) { console.error(`lint-pure: ${bad} problem(s) in the deterministic cores`); process.exit(1); }
console.log('lint-pure: deterministic cores are clean');
