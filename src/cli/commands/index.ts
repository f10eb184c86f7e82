import type { Command } from 'commander';
import { register as registerRun } from './run.js';
import { register as registerInit } from './init.js';
import { register as registerKeygen } from './keygen.js';
import { register as registerCluster } from './cluster.js';

/** Every `cairn` subcommand, one file each; implementations load lazily to keep start-up fast. */
export function registerCommands(program: Command): void {
  registerRun(program);
  registerInit(program);
  registerKeygen(program);
  registerCluster(program);
}
