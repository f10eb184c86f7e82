import type { CommandHandler } from './context.js';

/** `!cancel <job>`: cancels a job, or every unfinished job of a run. */
export const cancel: CommandHandler = async (ctx, [id]) => {
  await ctx.cluster.write((c) => c.cancel(id!));
  return [`cancelling ${id}`];
};
