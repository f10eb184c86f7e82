import type { Command } from 'commander';
import { CairnError } from '../util/errors.js';

/** Placeholder until the templates land. */
export async function initCommand(_dir: string, _opts: Record<string, unknown>, _cmd: Command): Promise<void> {
  throw new CairnError('NOT_IMPLEMENTED', 'cairn init is not implemented yet');
}
