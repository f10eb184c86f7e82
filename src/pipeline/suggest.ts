/** "Did you mean" hints for misspelt keys. */

/** Keys a workflow or action may use at some level; a misspelling is matched against these. */
export const knownKeys: readonly string[] = [
  // workflow
  'name', 'run-name', 'on', 'env', 'defaults', 'jobs', 'permissions', 'concurrency',
  // job
  'runs-on', 'needs', 'if', 'strategy', 'matrix', 'include', 'exclude', 'fail-fast', 'max-parallel',
  'timeout-minutes', 'continue-on-error', 'outputs', 'steps',
  // cairn job keys
  'labels', 'retry', 'artifacts', 'sandbox', 'image',
  // step
  'id', 'run', 'shell', 'working-directory', 'uses', 'with',
  // action
  'description', 'inputs', 'runs', 'using', 'default', 'required', 'value',
];

/** Suggestions farther than this many edits are noise. */
const suggestDistanceMax = 2;

/** Edit distance, bounded work for short keys (both strings are mapping keys). */
function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] as number;
      prev[j] = Math.min(up + 1, (prev[j - 1] as number) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length] as number;
}

/** The closest known key to `key`, if it is close enough to be a typo. */
export function suggestKey(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = suggestDistanceMax + 1;
  for (const k of knownKeys) {
    const d = distance(key.toLowerCase(), k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}
