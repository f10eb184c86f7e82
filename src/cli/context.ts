import type { Command } from 'commander';

/** Global flags shared by every command (SPEC.md: --api, --json, --no-color, -v). */
export interface GlobalOptions {
  api: string;
  json: boolean;
  color: boolean;
  verbose: boolean;
}

export const DEFAULT_API = 'http://127.0.0.1:7070';

/** Reads the global options from the root program, with CAIRN_API and NO_COLOR applied. */
export function globalOptions(cmd: Command): GlobalOptions {
  let root = cmd;
  while (root.parent) root = root.parent;
  const o = root.opts<{ api?: string; json?: boolean; color?: boolean; verbose?: boolean }>();
  const noColorEnv = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  return {
    api: o.api ?? process.env.CAIRN_API ?? DEFAULT_API,
    json: o.json ?? false,
    color: o.color !== false && !noColorEnv && process.stdout.isTTY === true,
    verbose: o.verbose ?? false,
  };
}
