import type { FastifyInstance } from 'fastify';
import { CairnError } from '../../util/errors.js';
import type { ApiService } from '../service.js';

/** `PUT /v1/config/{key}` with `{ "value": ... }`: sets one cluster setting (a ConfigSet through the log). */
export function registerConfigRoutes(app: FastifyInstance, service: ApiService): void {
  app.put<{ Params: { key: string } }>('/v1/config/:key', async (req) => {
    const b = req.body as Record<string, unknown> | null;
    if (!b || typeof b !== 'object' || !('value' in b) || b.value === undefined) {
      throw new CairnError('INVALID_INPUT', 'give { "value": ... } (the setting\'s new value)');
    }
    if (!service.setConfig) throw new CairnError('NOT_IMPLEMENTED', 'this server cannot change cluster settings');
    return service.setConfig(req.params.key, b.value);
  });
}
