import type { FastifyInstance } from 'fastify';
import { CairnError } from '../../util/errors.js';
import type { ApiService, SubmitRequest } from '../service.js';

const SUBMIT_KEYS = new Set(['pipeline', 'name', 'file', 'repo', 'ref', 'labels', 'env', 'secrets', 'inputs']);

/** `POST /v1/jobs`, `GET /v1/jobs`, `GET /v1/jobs/{id}`, `POST /v1/jobs/{id}/cancel`. */
export function registerJobRoutes(app: FastifyInstance, service: ApiService): void {
  app.post('/v1/jobs', async (req, reply) => {
    const body = validateSubmit(req.body);
    const res = await service.submit(body);
    return reply.status(201).send(res);
  });
  app.get<{ Querystring: { state?: string } }>('/v1/jobs', async (req) =>
    service.jobs(req.query.state === undefined ? {} : { state: req.query.state }),
  );
  app.get<{ Params: { id: string } }>('/v1/jobs/:id', async (req) => service.job(req.params.id));
  app.post<{ Params: { id: string } }>('/v1/jobs/:id/cancel', async (req) => service.cancel(req.params.id));
}

/** Checks the submit body's shape; the service validates its meaning (pipeline, labels). */
export function validateSubmit(body: unknown): SubmitRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new CairnError('INVALID_INPUT', 'the body must be a JSON object');
  }
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) {
    if (!SUBMIT_KEYS.has(k)) throw new CairnError('INVALID_INPUT', `unknown field "${k}"`, { field: k });
  }
  if (b.pipeline === undefined && b.name === undefined) {
    throw new CairnError('INVALID_INPUT', 'give "pipeline" (the pipeline text) or "name" (a registered pipeline)');
  }
  for (const k of ['pipeline', 'name', 'file', 'repo', 'ref'] as const) {
    if (b[k] !== undefined && typeof b[k] !== 'string') throw new CairnError('INVALID_INPUT', `"${k}" must be a string`, { field: k });
  }
  if (b.labels !== undefined && !(Array.isArray(b.labels) && b.labels.every((l) => typeof l === 'string'))) {
    throw new CairnError('INVALID_INPUT', '"labels" must be an array of strings', { field: 'labels' });
  }
  for (const k of ['env', 'secrets', 'inputs'] as const) {
    const v = b[k];
    if (v === undefined) continue;
    if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.values(v).every((x) => typeof x === 'string')) {
      throw new CairnError('INVALID_INPUT', `"${k}" must map names to strings`, { field: k });
    }
  }
  return b as SubmitRequest;
}
