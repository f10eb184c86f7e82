import { formatClusterSummary, formatJobStatus } from '../format.js';
import { toClusterInfo, toJobInfo, toJobRows } from '../views.js';
import type { CommandHandler } from './context.js';

/** `!status [job]`: the cluster at a glance, or one job or run (a run lists its jobs). */
export const status: CommandHandler = async (ctx, [id]) => {
  if (id !== undefined) return formatJobStatus(toJobInfo(await ctx.cluster.read((c) => c.job(id))));
  const [cluster, jobs] = await ctx.cluster.read((c) => Promise.all([c.cluster(), c.jobs()]));
  return formatClusterSummary(toClusterInfo(cluster), toJobRows(jobs), ctx.limits.statusJobsShown);
};
