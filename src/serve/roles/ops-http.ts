import Fastify, { type FastifyInstance } from 'fastify';
import type { Endpoint } from '../config.js';
import type { Metrics } from '../metrics.js';
import type { TokenStore } from '../tokens.js';

/**
 * The HTTP listener of roles without the API (collector, detector, store): `GET /health` without a token and
 * Prometheus `/metrics` with one, by the same rules as the full API.
 */
export async function startOpsHttp(at: Endpoint, tokens: TokenStore, metrics: Metrics, health: () => { status: string; [k: string]: unknown }): Promise<{ app: FastifyInstance; port: number }> {
  const app = Fastify({ logger: false });
  app.get('/health', async (_req, reply) => {
    const h = health();
    return reply.code(h.status === 'ok' ? 200 : 503).send(h);
  });
  app.get('/metrics', async (req, reply) => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(String(req.headers.authorization ?? ''));
    if (!m || !tokens.verify(m[1])) {
      return reply.code(401).header('WWW-Authenticate', 'Bearer').send({ error: 'an API token is required: send Authorization: Bearer TOKEN' });
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.setNotFoundHandler(async (_req, reply) => reply.code(404).send({ error: 'this role serves only /health and /metrics; the API is on the api role' }));
  await app.listen({ host: at.host, port: at.port });
  const addr = app.server.address();
  return { app, port: addr && typeof addr === 'object' ? addr.port : at.port };
}
