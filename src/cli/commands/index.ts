import type { Command } from 'commander';
import { register as run } from './run.js';
import { register as init } from './init.js';
import { register as keygen } from './keygen.js';
import { register as node } from './node.js';
import { register as clusterStatus } from './cluster-status.js';
import { register as pipelines } from './pipelines.js';
import { register as submit } from './submit.js';
import { register as jobs } from './jobs.js';
import { register as status } from './status.js';
import { register as logs } from './logs.js';
import { register as cancel } from './cancel.js';
import { register as history } from './history.js';
import { register as repl } from './repl.js';
import { register as bot } from './bot.js';

/** Every `cairn` subcommand, one file each, in SPEC.md's order; implementations load lazily. */
export function registerCommands(program: Command): void {
  for (const r of [run, init, keygen, node, clusterStatus, pipelines, submit, jobs, status, logs, cancel, history, repl, bot]) r(program);
}
