import type { NodeConfig } from './config.js';
import { CairnError } from '../src/util/errors.js';

/** The daemon's composition root; wired once the cluster parts land. */
export async function runDaemon(config: NodeConfig): Promise<void> {
  throw new CairnError('NOT_IMPLEMENTED', `cairn node start is not implemented yet (node ${config.name})`);
}
