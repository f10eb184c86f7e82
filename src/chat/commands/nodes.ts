import { formatNodes } from '../format.js';
import { toClusterInfo } from '../views.js';
import type { CommandHandler } from './context.js';

/** `!nodes`: every node with its role, state, load and labels. */
export const nodes: CommandHandler = async (ctx) => {
  const info = toClusterInfo(await ctx.cluster.read((c) => c.cluster()));
  return formatNodes(info.nodes, info.leader);
};
