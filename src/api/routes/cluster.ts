import type { FastifyInstance } from 'fastify';
import type { ApiService } from '../service.js';

/** `GET /v1/cluster` and `GET /v1/nodes`. */
export function registerClusterRoutes(app: FastifyInstance, service: ApiService): void {
  app.get('/v1/cluster', async () => service.cluster());
  app.get('/v1/nodes', async () => service.nodes());
}
