import { formatWhy } from '../format.js';
import { toJobInfo } from '../views.js';
import type { CommandHandler } from './context.js';

/** `!why <job>`: the scheduler's explanation of a wait, or how the job ended. */
export const why: CommandHandler = async (ctx, [id]) => formatWhy(toJobInfo(await ctx.cluster.read((c) => c.job(id!))));
