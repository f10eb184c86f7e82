import type { FastifyInstance } from 'fastify';
import { CairnError } from '../../util/errors.js';
import type { ApiService } from '../service.js';

/**
 * `GET /v1/jobs/{id}/logs?follow=1&from=SEQ`: NDJSON, one `{ "seq", "data" }` line per chunk
 * (data base64, since logs are bytes and may not be UTF-8), then `{ "end": true }`.
 * A client that reconnects passes the next sequence it wants as `from`.
 */
export function registerLogRoutes(app: FastifyInstance, service: ApiService): void {
  app.get<{ Params: { id: string }; Querystring: { follow?: string; from?: string } }>(
    '/v1/jobs/:id/logs',
    async (req, reply) => {
      const from = req.query.from === undefined ? 0 : Number(req.query.from);
      if (!Number.isInteger(from) || from < 0) throw new CairnError('INVALID_INPUT', 'from must be a sequence number ≥ 0');
      const follow = req.query.follow === '1' || req.query.follow === 'true';
      const ac = new AbortController();
      req.raw.on('close', () => ac.abort());
      const iter = service.logs(req.params.id, { from, follow, signal: ac.signal })[Symbol.asyncIterator]();
      // Pull the first chunk before the headers go out, so an unknown job still gets a JSON 404.
      const first = await iter.next();
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
      let r = first;
      while (!r.done) {
        const line = JSON.stringify({ seq: r.value.seq, data: Buffer.from(r.value.data).toString('base64') }) + '\n';
        if (!reply.raw.write(line)) await new Promise((res) => reply.raw.once('drain', res));
        if (ac.signal.aborted) break;
        r = await iter.next();
      }
      reply.raw.end(JSON.stringify({ end: true }) + '\n');
    },
  );
}
