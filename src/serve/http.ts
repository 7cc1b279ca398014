import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import { IncidentError } from '../correlation/manager.js';
import { packageRoot } from '../util/paths.js';
import type { ApiContext } from './context.js';
import { roleAllows, type Role, type TokenInfo } from './tokens.js';
import { SHARED_SCHEMAS } from './schemas.js';
import { registerApiRoutes } from './routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: TokenInfo;
  }
  interface FastifyContextConfig {
    /** The least role a route needs (viewer when absent). */
    role?: Role;
  }
}

/** Paths that answer without a token: health, and the console's static files (they hold no data). */
function needsToken(path: string): boolean {
  return path.startsWith('/api/') || path === '/api' || path === '/metrics' || path.startsWith('/taxii2');
}

export class HttpError extends Error {
  constructor(readonly statusCode: number, message: string, readonly field?: string) {
    super(message);
  }
}

/** Where the built console lives (console/dist in the package), if it was built. */
export function consoleDistDir(): string | undefined {
  const d = join(packageRoot(), 'console', 'dist');
  return existsSync(join(d, 'index.html')) ? d : undefined;
}

/**
 * Checks the bearer token (401) and the route's role (403). Exported so plugins mounted by other capabilities
 * (TAXII) apply the same rules: `preHandler: authorize('analyst')`.
 */
export function authorize(need: Role = 'viewer') {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!req.principal) {
      await reply.code(401).header('WWW-Authenticate', 'Bearer').send({ error: 'an API token is required: send Authorization: Bearer TOKEN' });
      return;
    }
    if (!roleAllows(req.principal.role, need)) {
      await reply.code(403).send({ error: `this needs the ${need} role; your token has ${req.principal.role}` });
    }
  };
}

/** Builds the HTTP app (not listening). */
/**
 * The API token a request presents: `Authorization: Bearer TOKEN`, or under /taxii2, where clients often speak only
 * HTTP basic, `Basic` with the token as the password (any user name).
 */
function presentedToken(h: string | undefined, path: string): string | undefined {
  if (typeof h !== 'string') return undefined;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(h);
  if (bearer) return bearer[1];
  const basic = path.startsWith('/taxii2') ? /^Basic\s+(\S+)\s*$/i.exec(h) : null;
  const pw = basic ? Buffer.from(basic[1], 'base64').toString('utf8').split(':').slice(1).join(':') : '';
  return pw || undefined;
}

export async function buildHttp(ctx: ApiContext, opts: { logger?: FastifyServerOptions['logger']; https?: { key: Buffer; cert: Buffer } } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    ...(opts.https ? { https: opts.https } : {}),
    bodyLimit: 16 * 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  } as FastifyServerOptions) as unknown as FastifyInstance;

  for (const s of SHARED_SCHEMAS) app.addSchema(s);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Tidewatch API', version: '1', description: 'The live service API of tidewatch serve (docs/API.md).' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an API token from `tidewatch token create`' } } },
      security: [{ bearer: [] }],
    },
    hideUntagged: true,
    // name shared schemas by their $id (Alert, Incident, ...) in components.schemas
    refResolver: { buildLocalReference: (json, _base, _frag, i) => String((json as { $id?: string }).$id ?? `def-${i}`) },
  });

  // Authentication: every request under /api, /metrics and /taxii2 needs a live token.
  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0];
    if (!needsToken(path)) return;
    const h = req.headers.authorization;
    const token = presentedToken(h, path);
    const who = token ? ctx.tokens.verify(token) : undefined;
    if (!who) {
      await reply.code(401).header('WWW-Authenticate', 'Bearer')
        .send({ error: token ? 'unknown or revoked API token' : 'an API token is required: send Authorization: Bearer TOKEN' });
      return reply;
    }
    req.principal = who;
    const need = req.routeOptions.config?.role ?? 'viewer';
    if (!roleAllows(who.role, need)) {
      await reply.code(403).send({ error: `this needs the ${need} role; your token has ${who.role}` });
      return reply;
    }
  });

  app.setErrorHandler(async (err: Error & { validation?: { instancePath?: string; params?: Record<string, unknown>; message?: string }[]; validationContext?: string; statusCode?: number }, req, reply) => {
    if (err.validation?.length) {
      const v = err.validation[0];
      const field = (v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.')
        || String(v.params?.missingProperty ?? v.params?.additionalProperty ?? '') || undefined;
      const where = err.validationContext ?? 'request';
      let msg = v.message ?? 'is invalid';
      if (v.params?.additionalProperty) msg = `unknown parameter "${String(v.params.additionalProperty)}"`;
      else if (v.params?.allowedValues) msg = `must be one of ${(v.params.allowedValues as unknown[]).join(', ')}`;
      return reply.code(400).send({ error: `${where}${field ? ` ${field}` : ''}: ${msg}`, ...(field ? { field } : {}) });
    }
    if (err instanceof IncidentError) return reply.code(err.code === 'not_found' ? 404 : 400).send({ error: err.message, ...(err.field ? { field: err.field } : {}) });
    if (err instanceof HttpError) return reply.code(err.statusCode).send({ error: err.message, ...(err.field ? { field: err.field } : {}) });
    const code = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (code === 500) req.log.error(err);
    return reply.code(code).send({ error: code === 500 ? 'internal error (see the service log)' : err.message });
  });

  app.get('/health', { schema: { hide: true } }, async (_req, reply) => {
    const h = ctx.health();
    return reply.code(h.status === 'ok' ? 200 : 503).send(h);
  });

  app.get('/metrics', { schema: { hide: true }, config: { role: 'viewer' } }, async (_req, reply) => {
    const text = await ctx.metrics.registry.metrics();
    return reply.type(ctx.metrics.registry.contentType).send(text);
  });

  await app.register(async (api) => registerApiRoutes(api, ctx), { prefix: '/api/v1' });

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  // Capabilities that bring their own HTTP plugins (TAXII) mount here.
  for (const mount of ctx.mounts ?? []) await mount(app);

  const consoleDir = ctx.consoleDir;
  if (consoleDir) {
    await app.register(fastifyStatic, { root: consoleDir, prefix: '/', wildcard: false, index: 'index.html' });
  } else {
    app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.type('text/html').send(
      '<!doctype html><title>Tidewatch</title><p>The web console is not built in this installation (console/dist is missing). '
      + 'The API is at <code>/api/v1/</code> (OpenAPI description at <code>/api/v1/openapi.json</code>).</p>',
    ));
  }

  app.setNotFoundHandler(async (req, reply) => {
    const path = req.url.split('?')[0];
    // single-page console: unknown non-API GETs load the console, which routes on the client
    if (consoleDir && req.method === 'GET' && !needsToken(path) && !/\.[a-z0-9]+$/i.test(path)) {
      return reply.sendFile('index.html');
    }
    return reply.code(404).send({ error: `no such endpoint: ${req.method} ${path}` });
  });

  return app;
}
