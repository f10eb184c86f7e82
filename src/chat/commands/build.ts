import type { SubmitRequest } from '../../api/service.js';
import type { CommandHandler } from './context.js';

/** `!build <pipeline> [ref]`: submits a registered pipeline and watches it to the end. */
export const build: CommandHandler = async (ctx, [pipeline, ref]) => {
  const request: SubmitRequest = { name: pipeline!, ...(ref === undefined ? {} : { ref }) };
  const res = await ctx.cluster.write((c) => c.submit(request));
  ctx.watch.add({ run: res.id, pipeline: pipeline!, nick: ctx.nick, target: ctx.target, request });
  return [`run ${res.id} (${pipeline}${ref === undefined ? '' : ` @ ${ref}`}) ${res.state}; I will say here when it ends`];
};
