import type { StepSpec } from './types.js';

/** Display names are cut here, as GitHub cuts them, so one long `run:` does not flood the UI. */
const displayNameCharsMax = 80;

/**
 * The name GitHub shows for a step with no `name:`: `Run <first line of run>` or
 * `Run <uses>`; a step's explicit name wins.
 */
export function stepDisplayName(step: Pick<StepSpec, 'name' | 'run' | 'uses' | 'index'>): string {
  if (step.name !== '') return step.name;
  if (step.uses !== undefined) return `Run ${step.uses}`;
  if (step.run !== undefined) {
    const first = step.run.trim().split('\n')[0] ?? '';
    const cut = first.length > displayNameCharsMax ? `${first.slice(0, displayNameCharsMax - 3)}...` : first;
    return `Run ${cut}`;
  }
  return `Step ${step.index + 1}`;
}
