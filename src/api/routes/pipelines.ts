import type { FastifyInstance } from 'fastify';
import { CairnError } from '../../util/errors.js';
import type { ApiService } from '../service.js';

/** `GET/POST /v1/pipelines`, `DELETE /v1/pipelines/{name}` (cairn's registered pipelines). */
export function registerPipelineRoutes(app: FastifyInstance, service: ApiService): void {
  app.get('/v1/pipelines', async () => service.pipelines());
  app.post('/v1/pipelines', async (req, reply) => {
    const b = req.body as Record<string, unknown> | null;
    if (!b || typeof b.name !== 'string' || typeof b.content !== 'string') {
      throw new CairnError('INVALID_INPUT', 'give "name" and "content" (the pipeline text)');
    }
    const reg = {
      name: b.name,
      content: b.content,
      ...(typeof b.repo === 'string' ? { repo: b.repo } : {}),
      ...(typeof b.ref === 'string' ? { ref: b.ref } : {}),
    };
    return reply.status(201).send(await service.addPipeline(reg));
  });
  app.delete<{ Params: { name: string } }>('/v1/pipelines/:name', async (req) => service.removePipeline(req.params.name));
}
