import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CairnError } from '../src/util/errors.js';
import { dataDirLayout } from './data-dir.js';
import { loadNodeConfig, type NodeStartFlags } from './config.js';
import { reexecAsDaemon } from './daemon-process.js';

/** How long --detach waits for the new node's API to answer. */
const detachWaitMsMax = 30_000;
const detachPollMs = 100;

/** `cairn node start`: runs the daemon in the foreground, or with --detach in the background. */
export async function nodeStartCommand(flags: NodeStartFlags, cmd: Command): Promise<void> {
  // `--api` is also a global flag (a URL); commander may hand it to the root program.
  const rootApi = (cmd.parent?.parent?.opts() as { api?: string } | undefined)?.api;
  const config = await loadNodeConfig({ ...flags, ...(flags.api === undefined && rootApi ? { api: rootApi } : {}) });
  mkdirSync(config.dataDir, { recursive: true });
  if (flags.detach) return detach(config.dataDir, `http://${config.apiHost.includes(':') ? `[${config.apiHost}]` : config.apiHost}:${config.apiPort}`);
  reexecAsDaemon();
  const { runDaemon } = await import('./daemon.js');
  await runDaemon(config);
}

/** Re-runs this command without --detach as a background process, then waits for its API. */
async function detach(dataDir: string, apiUrl: string): Promise<void> {
  const layout = dataDirLayout(dataDir);
  const log = openSync(layout.logfile, 'a');
  const args = process.argv.slice(1).filter((a) => a !== '--detach');
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', log, log], env: process.env });
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? 1));
  child.unref();
  const deadline = Date.now() + detachWaitMsMax;
  while (Date.now() < deadline) {
    if (exited !== null) break;
    try {
      const res = await fetch(`${apiUrl}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) {
        process.stdout.write(`node started (pid ${child.pid}), API ${apiUrl}, log ${layout.logfile}\n`);
        return;
      }
    } catch {
      // Not up yet.
    }
    await new Promise((r) => setTimeout(r, detachPollMs));
  }
  const tail = readFileSync(layout.logfile, 'utf8').split('\n').slice(-15).join('\n');
  throw new CairnError('INTERNAL', `the node did not come up${exited !== null ? ` (exit ${exited})` : ''}; end of ${layout.logfile}:\n${tail}`);
}
