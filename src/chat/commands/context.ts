import type { ClusterAccess } from '../cluster-access.js';
import type { RunWatch } from '../run-watch.js';

/** What a command handler gets: the cluster, who asked and where, and the bot's limits. */
export interface CommandContext {
  cluster: ClusterAccess;
  nick: string;
  /** Where the answer goes: the channel, or the nick for a direct message. */
  target: string;
  watch: RunWatch;
  limits: CommandLimits;
}

export interface CommandLimits {
  logTailLines: number;
  logScanBytes: number;
  logScanMs: number;
  /** Lines of jobs `!status` lists under its summary. */
  statusJobsShown: number;
}

/** A handler returns the lines to say; operating errors are thrown and formatted by the bot. */
export type CommandHandler = (ctx: CommandContext, args: readonly string[]) => Promise<string[]>;
