import { tailLog } from '../log-tail.js';
import type { CommandHandler } from './context.js';

/** `!logs <job>`: the last lines of the job's log, exactly the masked bytes the node wrote. */
export const logs: CommandHandler = async (ctx, [id]) => {
  const tail = await ctx.cluster.read((c) =>
    tailLog(c, id!, { linesMax: ctx.limits.logTailLines, bytesMax: ctx.limits.logScanBytes, timeoutMs: ctx.limits.logScanMs }),
  );
  if (tail.lines.length === 0) return [`${id}: the log is empty so far`];
  const head = tail.complete ? `last ${tail.lines.length} lines of ${id}:` : `${id}: log too long to reach its end here; lines up to ${tail.bytes} bytes (cairn logs ${id} for all):`;
  return [head, ...tail.lines];
};
