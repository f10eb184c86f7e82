import { CairnError } from '../../util/errors.js';
import type { SubmitRequest } from '../../api/service.js';
import { toJobInfo } from '../views.js';
import type { CommandHandler } from './context.js';

/**
 * `!retry <job>`: runs the job's pipeline again as a new run. A run started from chat is
 * resubmitted exactly; any other is resubmitted by its registered name (and ref, when the
 * view carries its source), since the API has no "rerun" of its own.
 */
export const retry: CommandHandler = async (ctx, [id]) => {
  const info = toJobInfo(await ctx.cluster.read((c) => c.job(id!)));
  const watched = ctx.watch.get(info.run);
  if (watched === undefined && info.pipeline === '') {
    throw new CairnError('NOT_FOUND', `${id} names no pipeline to run again`, { id });
  }
  const request: SubmitRequest = watched?.request ?? { name: info.pipeline, ...(info.source?.ref ? { ref: info.source.ref } : {}) };
  const pipeline = watched?.pipeline ?? info.pipeline;
  const res = await ctx.cluster.write((c) => c.submit(request));
  ctx.watch.add({ run: res.id, pipeline, nick: ctx.nick, target: ctx.target, request });
  return [`run ${res.id} (${pipeline}) ${res.state}, again after ${id}; I will say here when it ends`];
};
