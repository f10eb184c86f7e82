import type { Command } from 'commander';
import { CairnError } from '../util/errors.js';

/** Placeholder until the executor lands; replaced by the foundation work. */
export async function runCommand(_target: string | undefined, _opts: Record<string, unknown>, _cmd: Command): Promise<void> {
  throw new CairnError('NOT_IMPLEMENTED', 'cairn run is not implemented yet');
}
