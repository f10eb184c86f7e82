import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import type { ApiClient } from '../../api/client.js';
import { CairnError } from '../../util/errors.js';
import { clientFor, printJson } from '../client.js';
import { globalOptions } from '../context.js';
import { followLogs } from '../follow-logs.js';

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'lost']);
/** Polling bounds for --wait: quick at first, then no more than one request a second. */
const waitPollMsMin = 50;
const waitPollMsMax = 1000;

/** `cairn submit FILE|NAME`: hands a pipeline to the cluster. */
export function register(program: Command): void {
  program
    .command('submit')
    .argument('<file-or-name>', 'a pipeline file, or the name of a registered pipeline')
    .description('submit a pipeline to the cluster')
    .option('--repo <url>', 'repository the built-in checkout clones')
    .option('--ref <rev>', 'revision of that repository')
    .option('--labels <labels>', 'extra label terms every job must match (comma-separated)')
    .option('--wait', 'wait for the result; exit 1 if it failed')
    .option('--follow', 'follow the log live, then wait for the result')
    .action(async (target: string, opts: { repo?: string; ref?: string; labels?: string; wait?: boolean; follow?: boolean }, cmd: Command) => {
      const client = clientFor(cmd);
      const isFile = existsSync(target);
      const body = {
        ...(isFile ? { pipeline: await readFile(target, 'utf8'), file: basename(target) } : { name: target }),
        ...(opts.repo ? { repo: opts.repo } : {}),
        ...(opts.ref ? { ref: opts.ref } : {}),
        ...(opts.labels ? { labels: opts.labels.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
      };
      const res = await client.submit(body);
      const json = globalOptions(cmd).json;
      if (!opts.wait && !opts.follow) {
        if (json) printJson(res);
        else process.stdout.write(`${res.id} ${res.state}\n`);
        return;
      }
      if (!json) process.stderr.write(`submitted ${res.id}\n`);
      if (opts.follow) await followLogs(client, res.id, { json });
      const final = await waitForEnd(client, res.id);
      if (json) printJson(final);
      else process.stdout.write(`${res.id} ${final.state}\n`);
      if (final.state !== 'succeeded') process.exitCode = 1;
    });
}

/** Polls the job until it reaches a terminal state. */
export async function waitForEnd(client: ApiClient, id: string): Promise<{ id: string; state: string }> {
  let delay = waitPollMsMin;
  for (;;) {
    const s = (await client.job(id)) as { id: string; state: string };
    if (TERMINAL.has(s.state)) return s;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, waitPollMsMax);
  }
}

export function assertJobId(id: string): void {
  if (!/^[A-Za-z0-9._-]+$/.test(id)) throw new CairnError('USAGE', `"${id}" is not a job id`);
}
