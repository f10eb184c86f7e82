import type { FastifyInstance } from 'fastify';
import { CairnError } from '../../util/errors.js';
import type { ApiService } from '../service.js';

/**
 * `GET /v1/events`: NDJSON, one event per line as the cluster's event bus delivers them (job
 * queued/started/finished/failed/cancelled/retried, node joined/down/left, leader changed,
 * custom `::cairn-event` events), until the client goes away.
 */
export function registerEventRoutes(app: FastifyInstance, service: ApiService): void {
  app.get('/v1/events', async (req, reply) => {
    if (!service.events) throw new CairnError('NOT_IMPLEMENTED', 'this server has no event stream');
    const ac = new AbortController();
    req.raw.on('close', () => ac.abort());
    const events = service.events(ac.signal);
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
    // A first line at once, so a client knows it is subscribed before anything happens.
    reply.raw.write(JSON.stringify({ kind: 'subscribed' }) + '\n');
    for await (const e of events) {
      if (!reply.raw.write(JSON.stringify(e) + '\n')) await new Promise((r) => reply.raw.once('drain', r));
    }
    reply.raw.end();
  });
}
