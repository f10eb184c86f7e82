import { open, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CairnError } from '../util/errors.js';
// The cluster-key file alone, not the net front door: keygen must not load libp2p.
import { generateClusterKey } from '../net/cluster-key.js';
import { clusterKeyFileMode } from '../net/constants.js';
import { globalOptions } from './context.js';

/** `cairn keygen --out FILE`: writes a new cluster pre-shared key (mode 0600), never over an existing file. */
export async function keygenCommand(opts: { out: string }, cmd: Command): Promise<void> {
  const file = resolve(opts.out);
  let handle;
  try {
    // 'wx' creates exclusively: an existing key is never replaced, even by a racing keygen.
    handle = await open(file, 'wx', clusterKeyFileMode);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw new CairnError('CONFLICT', `${opts.out} already exists; cairn keygen never overwrites a cluster key`, { file });
    }
    throw new CairnError('INVALID_INPUT', `cannot create ${opts.out}: ${code ?? String(err)}`, { file, errno: code }, { cause: err });
  }
  try {
    await handle.writeFile(generateClusterKey());
    await handle.chmod(clusterKeyFileMode);
    await handle.sync();
    await handle.close();
  } catch (err) {
    // A half-written key would be refused later with a confusing message: remove it now.
    await handle.close().catch(() => {});
    await rm(file, { force: true });
    throw new CairnError('INVALID_INPUT', `cannot write ${opts.out}: ${(err as Error).message}`, { file }, { cause: err });
  }
  if (globalOptions(cmd).json) process.stdout.write(JSON.stringify({ file }) + '\n');
  else process.stdout.write(`wrote a new cluster key to ${opts.out} (mode 0600); give it to every node with --cluster-key\n`);
}
