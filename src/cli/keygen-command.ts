import type { Command } from 'commander';
import { CairnError } from '../util/errors.js';

/** Placeholder until the network module lands. */
export async function keygenCommand(_opts: { out: string }, _cmd: Command): Promise<void> {
  throw new CairnError('NOT_IMPLEMENTED', 'cairn keygen is not implemented yet');
}
