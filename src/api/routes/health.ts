import type { FastifyInstance } from 'fastify';
import type { ApiService } from '../service.js';

/** `GET /healthz` and `GET /metrics` (Prometheus text format). */
export function registerHealthRoutes(app: FastifyInstance, service: ApiService): void {
  app.get('/healthz', async () => service.health());
  app.get('/metrics', async (_req, reply) => {
    const m = await service.metrics();
    return reply.header('content-type', m.contentType).send(m.body);
  });
}
