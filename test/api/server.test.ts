import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiServer, ApiClient, type ApiService, type LogChunk } from '../../src/api/index.js';
import { CairnError } from '../../src/util/errors.js';

/** A small in-memory service: the HTTP layer is what is under test here. */
function memoryService(): ApiService & { submitted: unknown[] } {
  const submitted: unknown[] = [];
  const logs: LogChunk[] = [0, 1, 2].map((seq) => ({ seq, data: new Uint8Array([0xff, 0x00, 65 + seq]) }));
  return {
    submitted,
    cluster: async () => ({ leader: 'a', term: 3, nodes: [] }),
    nodes: async () => [],
    submit: async (req) => {
      submitted.push(req);
      if (req.labels?.includes('gpu')) throw new CairnError('UNPLACEABLE', 'no node could ever run it', { labelsThatExist: ['linux'] });
      return { id: 'j1', state: 'queued' };
    },
    jobs: async () => [],
    job: async (id) => {
      if (id !== 'j1') throw new CairnError('NOT_FOUND', `no job ${id}`);
      return { id, state: 'queued' };
    },
    async *logs(id, { from }) {
      if (id !== 'j1') throw new CairnError('NOT_FOUND', `no job ${id}`);
      for (const c of logs) if (c.seq >= from) yield c;
    },
    cancel: async () => ({ ok: true }),
    history: async ({ limit }) => Array.from({ length: Math.min(limit, 3) }, (_, i) => ({ i })),
    pipelines: async () => [],
    addPipeline: async (r) => r,
    removePipeline: async (name) => ({ name }),
    setNodeLabels: async (node, change) => {
      if (node !== 'a') throw new CairnError('NOT_FOUND', `no node ${node}`);
      return { name: node, labels: ['x', ...change.add].filter((l) => !change.remove.includes(l)) };
    },
    health: async () => ({ ok: true }),
    metrics: async () => ({ contentType: 'text/plain; version=0.0.4', body: 'cairn_up 1\n' }),
  };
}

describe('REST API', () => {
  const service = memoryService();
  const server = createApiServer({ host: '127.0.0.1', port: 0, service });
  let url = '';
  let client: ApiClient;
  beforeAll(async () => {
    url = await server.start();
    client = new ApiClient({ url });
  });
  afterAll(() => server.stop());

  it('answers reads and submits through the client', async () => {
    expect(await client.cluster()).toEqual({ leader: 'a', term: 3, nodes: [] });
    expect(await client.submit({ pipeline: 'x', labels: ['linux'] })).toEqual({ id: 'j1', state: 'queued' });
    expect(await client.history(2)).toHaveLength(2);
  });

  it('turns typed errors into stable JSON codes and back', async () => {
    const res = await fetch(`${url}/v1/jobs/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no job nope', data: {} } });
    const err = await client.submit({ pipeline: 'x', labels: ['gpu'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CairnError);
    expect((err as CairnError).code).toBe('UNPLACEABLE');
    expect((err as CairnError).exitCode).toBe(2);
    expect((err as CairnError).data).toEqual({ labelsThatExist: ['linux'] });
  });

  it('refuses unknown fields, bad limits and oversized bodies with clear errors', async () => {
    const bad = await fetch(`${url}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"pipline":"x"}' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('unknown field "pipline"');
    const lim = await fetch(`${url}/v1/history?limit=0`);
    expect(lim.status).toBe(400);
    const big = await fetch(`${url}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pipeline: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
    const badJson = await fetch(`${url}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(badJson.status).toBe(400);
  });

  it('streams log bytes exactly, from a given sequence', async () => {
    const all: LogChunk[] = [];
    for await (const c of client.logs('j1', { from: 1 })) all.push(c);
    expect(all.map((c) => c.seq)).toEqual([1, 2]);
    expect([...all[0]!.data]).toEqual([0xff, 0x00, 66]);
    const missing = await fetch(`${url}/v1/jobs/zz/logs`);
    expect(missing.status).toBe(404);
  });

  it('changes a node\'s labels and refuses malformed changes', async () => {
    expect(await client.setNodeLabels('a', { add: ['gpu'], remove: ['x'] })).toEqual({ name: 'a', labels: ['gpu'] });
    const bad = await fetch(`${url}/v1/nodes/a/labels`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"add":"gpu"}' });
    expect(bad.status).toBe(400);
    const missing = await client.setNodeLabels('zz', { add: [], remove: [] }).catch((e: unknown) => e);
    expect((missing as CairnError).code).toBe('NOT_FOUND');
  });

  it('serves Prometheus metrics and health', async () => {
    const res = await fetch(`${url}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toContain('cairn_up 1');
    expect(await client.health()).toEqual({ ok: true });
  });
});

describe('API access', () => {
  it('requires a token off loopback, and checks it', async () => {
    expect(() => createApiServer({ host: '0.0.0.0', port: 0, service: memoryService() })).toThrow(/bearer token/);
    const server = createApiServer({ host: '127.0.0.1', port: 0, token: 's3cret', service: memoryService() });
    const url = await server.start();
    try {
      expect((await fetch(`${url}/v1/cluster`)).status).toBe(401);
      expect(await new ApiClient({ url, token: 's3cret' }).cluster()).toMatchObject({ leader: 'a' });
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('reports an unreachable node as exit code 3', async () => {
    const server = createApiServer({ host: '127.0.0.1', port: 0, service: memoryService() });
    const url = await server.start();
    await server.stop();
    const err = await new ApiClient({ url }).cluster().catch((e: unknown) => e);
    expect((err as CairnError).code).toBe('UNREACHABLE');
    expect((err as CairnError).exitCode).toBe(3);
  });
});
