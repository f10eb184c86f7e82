import { createRequire } from 'node:module';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { ValidatorFactory } from '@fastify/ajv-compiler';
import type { SerializerFactory } from '@fastify/fast-json-stringify-compiler';
import { CairnError } from '../util/errors.js';
import { isLoopbackHost, checkBearer } from './auth.js';
import { requestBodyBytesMax } from './limits.js';
import type { ApiService } from './service.js';
import { registerClusterRoutes } from './routes/cluster.js';
import { registerJobRoutes } from './routes/jobs.js';
import { registerLogRoutes } from './routes/logs.js';
import { registerHistoryRoutes } from './routes/history.js';
import { registerPipelineRoutes } from './routes/pipelines.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerConfigRoutes } from './routes/config.js';
import { registerNodeLabelRoutes } from './routes/node-labels.js';
import { registerEventRoutes } from './routes/events.js';

export interface ApiServerInit {
  host: string;
  port: number;
  /** Required when `host` is not a loopback address (SPEC.md: REST API). */
  token?: string;
  service: ApiService;
}

export interface ApiServer {
  readonly app: FastifyInstance;
  /** Resolves with the URL the server listens on. */
  start(): Promise<string>;
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);

/**
 * fastify's JSON-schema compilers (ajv and fast-json-stringify, ~90 modules) are built when the
 * server is made, whether or not a route has a schema; ours have none, so they load only if one
 * ever does. That is ~2 MiB of every idle node's memory (bench/cluster.bench.ts part (d)).
 */
/** A compiler factory that loads its package (whose export makes the factory) on first use. */
function lazyFactory(pkg: string): (...args: unknown[]) => unknown {
  return (...args) => (require(pkg) as () => (...a: unknown[]) => unknown)()(...args);
}

const lazySchemaCompilers: NonNullable<FastifyServerOptions['schemaController']> = {
  compilersFactory: {
    buildValidator: lazyFactory('@fastify/ajv-compiler') as ValidatorFactory,
    buildSerializer: lazyFactory('@fastify/fast-json-stringify-compiler') as SerializerFactory,
  },
};

/** The REST API of SPEC.md on fastify. Every error answers `{ error: { code, message, data } }`. */
export function createApiServer(init: ApiServerInit): ApiServer {
  if (!isLoopbackHost(init.host) && !init.token) {
    throw new CairnError('USAGE', `the API on ${init.host} is not loopback: give it a bearer token (CAIRN_API_TOKEN)`);
  }
  const app = Fastify({ bodyLimit: requestBodyBytesMax, logger: false, schemaController: lazySchemaCompilers });

  if (init.token) {
    const token = init.token;
    app.addHook('onRequest', async (req: FastifyRequest) => {
      if (req.url === '/healthz') return;
      checkBearer(req.headers.authorization, token);
    });
  }

  app.setErrorHandler((err: unknown, _req: FastifyRequest, reply: FastifyReply) => {
    const e = toCairnError(err);
    void reply.status(e.httpStatus).send(e.toJSON());
  });
  app.setNotFoundHandler((req: FastifyRequest, reply: FastifyReply) => {
    void reply.status(404).send(new CairnError('NOT_FOUND', `no route ${req.method} ${req.url}`).toJSON());
  });

  registerHealthRoutes(app, init.service);
  registerClusterRoutes(app, init.service);
  registerJobRoutes(app, init.service);
  registerLogRoutes(app, init.service);
  registerHistoryRoutes(app, init.service);
  registerPipelineRoutes(app, init.service);
  registerConfigRoutes(app, init.service);
  registerNodeLabelRoutes(app, init.service);
  registerEventRoutes(app, init.service);

  return {
    app,
    async start() {
      return app.listen({ host: init.host, port: init.port });
    },
    async stop() {
      await app.close();
    },
  };
}

/** Fastify's own errors (body too large, bad JSON) become typed errors with stable codes. */
function toCairnError(err: unknown): CairnError {
  if (err instanceof CairnError) return err;
  const fe = err as { code?: string; statusCode?: number; message?: string };
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new CairnError('PAYLOAD_TOO_LARGE', `request body over ${requestBodyBytesMax} bytes`, { limitBytes: requestBodyBytesMax });
  }
  if (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new CairnError('INVALID_INPUT', fe.message ?? 'invalid request', { fastifyCode: fe.code ?? null });
  }
  return new CairnError('INTERNAL', err instanceof Error ? err.message : String(err), {}, { cause: err });
}
