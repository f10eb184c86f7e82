import type { FastifyInstance } from 'fastify';
import { CairnError } from '../../util/errors.js';
import type { ApiService } from '../service.js';

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** `POST /v1/nodes/{name}/labels` with `{ add: [...], remove: [...] }`: changes a node's own labels. */
export function registerNodeLabelRoutes(app: FastifyInstance, service: ApiService): void {
  app.post<{ Params: { name: string } }>('/v1/nodes/:name/labels', async (req) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const add = b.add ?? [];
    const remove = b.remove ?? [];
    if (!isStrings(add) || !isStrings(remove)) throw new CairnError('INVALID_INPUT', 'give { "add": [labels], "remove": [labels] }');
    if (!service.setNodeLabels) throw new CairnError('NOT_IMPLEMENTED', 'this server cannot change node labels');
    return service.setNodeLabels(req.params.name, { add, remove });
  });
}
