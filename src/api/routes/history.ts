import type { FastifyInstance } from 'fastify';
import { CairnError } from '../../util/errors.js';
import { historyLimitDefault, historyLimitMax } from '../limits.js';
import type { ApiService } from '../service.js';

/** `GET /v1/history?limit=N`. */
export function registerHistoryRoutes(app: FastifyInstance, service: ApiService): void {
  app.get<{ Querystring: { limit?: string } }>('/v1/history', async (req) => {
    const raw = req.query.limit;
    const limit = raw === undefined ? historyLimitDefault : Number(raw);
    if (!Number.isInteger(limit) || limit < 1 || limit > historyLimitMax) {
      throw new CairnError('INVALID_INPUT', `limit must be a whole number from 1 to ${historyLimitMax}`, { limit: raw });
    }
    return service.history({ limit });
  });
}
