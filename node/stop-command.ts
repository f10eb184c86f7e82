import { CairnError } from '../src/util/errors.js';
import { dataDirLayout, defaultDataDir, defaultNodeName } from './data-dir.js';
import { processAlive, readPid } from './pidfile.js';

/** How long `cairn node stop` waits for a draining node before giving up (it keeps draining). */
const stopWaitMsMax = 120_000;
const stopPollMs = 100;

/** `cairn node stop`: SIGTERM through the pidfile, then wait until the process has gone. */
export async function nodeStopCommand(opts: { dataDir?: string; name?: string }): Promise<void> {
  const dir = opts.dataDir ?? defaultDataDir(opts.name ?? defaultNodeName());
  const { pidfile } = dataDirLayout(dir);
  const pid = readPid(pidfile);
  if (pid === null || !processAlive(pid)) throw new CairnError('NOT_FOUND', `no node is running on ${dir}`, { dataDir: dir });
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + stopWaitMsMax;
  while (processAlive(pid)) {
    if (Date.now() > deadline) throw new CairnError('INTERNAL', `node ${pid} is still draining after ${stopWaitMsMax / 1000} s`, { pid });
    await new Promise((r) => setTimeout(r, stopPollMs));
  }
  process.stdout.write(`node ${pid} stopped\n`);
}
