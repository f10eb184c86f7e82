import type { CommandName } from '../command-specs.js';
import { build } from './build.js';
import { cancel } from './cancel.js';
import type { CommandHandler } from './context.js';
import { help } from './help.js';
import { logs } from './logs.js';
import { nodes } from './nodes.js';
import { retry } from './retry.js';
import { status } from './status.js';
import { why } from './why.js';

export type { CommandContext, CommandHandler, CommandLimits } from './context.js';

/** Every command's handler; the mapped type makes the compiler reject a missing one. */
export const commandHandlers: { readonly [K in CommandName]: CommandHandler } = { build, status, logs, cancel, retry, nodes, why, help };
