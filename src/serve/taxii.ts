/**
 * TAXII 2.1 server as a Fastify plugin, mounted by `tidewatch serve` under /taxii2/ so partners (another carrier,
 * the ISAC, the authorities) can pull our sightings and push indicators to us.
 *
 * Endpoints (TAXII 2.1 section 4-5): discovery, API root, collections, collection, objects (GET with added_after,
 * limit, next, match[id|type|version|spec_version]; POST to read-write collections), object by id (GET, DELETE),
 * object versions, manifest, and status. Media types: responses are `application/taxii+json;version=2.1`; an
 * Accept header that rules it out answers 406, a POST body of another type 415, one over max_content_length 413.
 *
 * Authentication is the service's: `deps.authorize(request, {write})` answers true, false (403) or 401/403.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Store, TaxiiObject } from '../store/store.js';
import type { SiteConfig } from '../model/site.js';
import { uuidv4, UUID_RE } from '../util/uuid.js';
import { parseStix } from '../parsers/intel/stix.js';
import { storeParsed } from '../pipeline/intel.js';
import { ourIdentity, sightingsFor, tlpMarking } from '../pipeline/intel-export.js';
import type { Alert } from '../model/alert.js';

export const TAXII_MEDIA = 'application/taxii+json;version=2.1';
export const STIX_MEDIA = 'application/stix+json;version=2.1';

export type TaxiiAuthorize = (req: FastifyRequest, need: { write: boolean; collection?: string }) =>
  boolean | 401 | 403 | Promise<boolean | 401 | 403>;

export interface TaxiiCollection {
  id: string;
  title: string;
  description?: string;
  alias?: string;
  can_read: boolean;
  can_write: boolean;
  /** `sightings`: filled from our intel alerts before each read. `exchange`: what partners post (also imported as intel). */
  kind: 'sightings' | 'exchange' | 'plain';
}

export interface TaxiiDeps {
  store: Store;
  authorize: TaxiiAuthorize;
  site?: SiteConfig;
  /** Mount point (default `/taxii2`). */
  prefix?: string;
  /** API root name under the prefix (default `tidewatch`). */
  apiRoot?: string;
  collections?: TaxiiCollection[];
  /** Largest accepted POST body in bytes (default 16 MiB). */
  maxContentLength?: number;
  /** Default page size and ceiling for `limit` (default 100 and 1000). */
  pageSize?: number;
  maxPageSize?: number;
  /** TLP level for the sightings we publish (default amber). */
  tlp?: string;
}

/** The collections every service offers unless the site file names others. Ids are fixed so partners can configure them once. */
export const DEFAULT_COLLECTIONS: TaxiiCollection[] = [
  { id: '3f0e6a52-8f0b-4c57-9d3e-6f1d1c2b7a01', alias: 'sightings', title: 'Tidewatch sightings', kind: 'sightings', can_read: true, can_write: false,
    description: 'Sightings of indicators in this carrier\'s network (sighting, observed-data, identity, TLP marking), updated as they happen.' },
  { id: '8b2d4c7e-1a6f-4e0b-b5c9-2e7f3d9a0c12', alias: 'exchange', title: 'Partner indicator exchange', kind: 'exchange', can_read: true, can_write: true,
    description: 'Read-write: partners add STIX 2.1 objects here; indicators added are imported into this carrier\'s matcher.' },
];

class TaxiiHttpError extends Error {
  constructor(readonly status: number, readonly title: string, readonly description?: string) { super(title); }
}

function acceptable(accept: string | undefined): boolean {
  if (!accept) return true;
  return accept.split(',').some((part) => {
    const [type, ...params] = part.trim().toLowerCase().split(';').map((x) => x.trim());
    if (type === '*/*' || type === 'application/*') return true;
    if (type !== 'application/taxii+json') return false;
    const v = params.find((p) => p.startsWith('version='));
    return !v || v === 'version=2.1';
  });
}

const SYNC_INTERVAL_MS = 5000;

/** Registers the TAXII 2.1 routes on `app` (encapsulated: its content-type parser and error format stay inside). */
export async function registerTaxii(app: FastifyInstance, deps: TaxiiDeps): Promise<void> {
  const prefix = (deps.prefix ?? '/taxii2').replace(/\/$/, '');
  const rootName = deps.apiRoot ?? 'tidewatch';
  const collections = deps.collections ?? DEFAULT_COLLECTIONS;
  const maxLen = deps.maxContentLength ?? 16 * 1024 * 1024;
  const pageSize = deps.pageSize ?? 100;
  const maxPage = deps.maxPageSize ?? 1000;
  const store = deps.store;
  let lastSync = 0;
  let syncing: Promise<void> | undefined;

  const find = (id: string) => collections.find((c) => c.id === id || (c.alias && c.alias === id));

  /** Publishes sightings of every intel alert into the sightings collection (new versions only). */
  const syncSightings = async (c: TaxiiCollection): Promise<void> => {
    if (Date.now() - lastSync < SYNC_INTERVAL_MS) return;
    if (syncing) return syncing;
    syncing = (async () => {
      const identity = await ourIdentity(store, deps.site ?? ({} as SiteConfig));
      const marking = tlpMarking(deps.tlp ?? 'amber');
      const alerts: Alert[] = [];
      for (let offset = 0; ; offset += 1000) {
        const page = await store.listAlerts({ detector: 'intel', order: 'asc', limit: 1000, offset });
        alerts.push(...page.items);
        if (page.items.length < 1000) break;
      }
      await store.putTaxiiObjects(c.id, [identity, marking, ...sightingsFor(alerts, identity, marking, '')]);
      lastSync = Date.now();
    })().finally(() => { syncing = undefined; });
    return syncing;
  };

  await app.register(async (t) => {
    t.addContentTypeParser(/^application\/(taxii|stix)\+json/i, { parseAs: 'string', bodyLimit: maxLen }, (_req, body, done) => {
      try { done(null, JSON.parse(String(body))); } catch (e) {
        done(new TaxiiHttpError(400, 'The request body is not valid JSON', (e as Error).message), undefined);
      }
    });

    t.setErrorHandler(async (err: Error & { statusCode?: number; code?: string }, req, reply) => {
      let status = err instanceof TaxiiHttpError ? err.status : err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
      let title = err instanceof TaxiiHttpError ? err.title : err.message;
      if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') { status = 413; title = `The request body is larger than max_content_length (${maxLen} bytes)`; }
      if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') { status = 415; title = `POST bodies must be ${TAXII_MEDIA}`; }
      if (status === 500) { req.log.error(err); title = 'Internal error (see the service log)'; }
      return reply.code(status).header('content-type', TAXII_MEDIA).send(Buffer.from(JSON.stringify({
        title, ...(err instanceof TaxiiHttpError && err.description ? { description: err.description } : {}), http_status: String(status),
      })));
    });

    t.addHook('onRequest', async (req) => {
      if (!acceptable(req.headers.accept)) throw new TaxiiHttpError(406, `This server answers ${TAXII_MEDIA}`, `Accept was "${req.headers.accept}"`);
    });

    const auth = async (req: FastifyRequest, write: boolean, collection?: string) => {
      const r = await deps.authorize(req, { write, collection });
      if (r === true) return;
      if (r === 401) throw new TaxiiHttpError(401, 'Authentication required');
      throw new TaxiiHttpError(403, write ? 'This account may not add to or delete from this collection' : 'This account may not read this collection');
    };
    const mayWrite = async (req: FastifyRequest, c: TaxiiCollection) => c.can_write && (await deps.authorize(req, { write: true, collection: c.id })) === true;
    // serialized here so the media type goes out exactly as TAXII spells it (no charset, no quoting)
    const send = (reply: FastifyReply, body: unknown, status = 200) => reply.code(status).header('content-type', TAXII_MEDIA).send(Buffer.from(JSON.stringify(body)));

    const collectionFor = async (req: FastifyRequest, id: string, write: boolean) => {
      await auth(req, write, id);
      const c = find(id);
      if (!c) throw new TaxiiHttpError(404, `No collection ${id} on this API root`);
      if (write && !c.can_write) throw new TaxiiHttpError(403, 'This collection is read-only');
      if (!write && !c.can_read) throw new TaxiiHttpError(403, 'This collection cannot be read');
      if (!write && c.kind === 'sightings') await syncSightings(c);
      return c;
    };

    const collectionResource = async (req: FastifyRequest, c: TaxiiCollection) => ({
      id: c.id, title: c.title, ...(c.description ? { description: c.description } : {}), ...(c.alias ? { alias: c.alias } : {}),
      can_read: c.can_read, can_write: await mayWrite(req, c), media_types: [STIX_MEDIA],
    });

    type Q = Record<string, string | string[] | undefined>;
    const list = (v: string | string[] | undefined) => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean));
    const parseFilters = (q: Q) => {
      const limitText = q.limit as string | undefined;
      let limit = pageSize;
      if (limitText !== undefined) {
        if (!/^\d+$/.test(limitText) || Number(limitText) < 1) throw new TaxiiHttpError(400, 'limit must be a positive integer');
        limit = Math.min(Number(limitText), maxPage);
      }
      const addedAfter = q.added_after as string | undefined;
      if (addedAfter !== undefined && Number.isNaN(Date.parse(addedAfter))) throw new TaxiiHttpError(400, 'added_after must be a timestamp such as 2026-11-01T00:00:00.000Z');
      const version = list(q['match[version]']);
      let versions: 'last' | 'first' | 'all' | string[] = 'last';
      if (version?.length) {
        if (version.includes('all')) versions = 'all';
        else if (version.length === 1 && (version[0] === 'first' || version[0] === 'last')) versions = version[0];
        else versions = version.filter((v) => v !== 'first' && v !== 'last');
      }
      return {
        limit, addedAfter, after: q.next as string | undefined, ids: list(q['match[id]']), types: list(q['match[type]']),
        specVersions: list(q['match[spec_version]']), versions,
      };
    };
    const page = async (collection: string, f: ReturnType<typeof parseFilters>) => {
      try {
        return await store.listTaxiiObjects(collection, f);
      } catch (e) {
        if (/cursor|added_after/.test((e as Error).message)) throw new TaxiiHttpError(400, (e as Error).message);
        throw e;
      }
    };
    const dateHeaders = (reply: FastifyReply, items: TaxiiObject[]) => {
      if (!items.length) return;
      reply.header('X-TAXII-Date-Added-First', items[0].date_added);
      reply.header('X-TAXII-Date-Added-Last', items[items.length - 1].date_added);
    };

    // Discovery
    t.get('/', async (req, reply) => {
      await auth(req, false);
      const org = deps.site?.organization;
      return send(reply, {
        title: `Tidewatch TAXII server${org?.name ? ` of ${org.name}` : ''}`,
        description: 'Indicator sightings shared by this carrier (TAXII 2.1).',
        ...(org?.contact ? { contact: org.contact } : {}),
        default: `${prefix}/${rootName}/`,
        api_roots: [`${prefix}/${rootName}/`],
      });
    });

    // API root
    t.get(`/${rootName}/`, async (req, reply) => {
      await auth(req, false);
      return send(reply, { title: 'Tidewatch', description: 'Sightings and partner exchange', versions: [TAXII_MEDIA], max_content_length: maxLen });
    });

    t.get(`/${rootName}/status/:statusId/`, async (req, reply) => {
      await auth(req, false);
      const { statusId } = req.params as { statusId: string };
      const s = UUID_RE.test(statusId) ? await store.getDoc('taxii-status', statusId) : undefined;
      if (!s) throw new TaxiiHttpError(404, `No status ${statusId}`);
      return send(reply, s);
    });

    t.get(`/${rootName}/collections/`, async (req, reply) => {
      await auth(req, false);
      const out = [];
      for (const c of collections) out.push(await collectionResource(req, c));
      return send(reply, { collections: out });
    });

    t.get(`/${rootName}/collections/:id/`, async (req, reply) => {
      await auth(req, false);
      const c = find((req.params as { id: string }).id);
      if (!c) throw new TaxiiHttpError(404, `No collection ${(req.params as { id: string }).id} on this API root`);
      return send(reply, await collectionResource(req, c));
    });

    t.get(`/${rootName}/collections/:id/objects/`, async (req, reply) => {
      const c = await collectionFor(req, (req.params as { id: string }).id, false);
      const f = parseFilters(req.query as Q);
      const r = await page(c.id, f);
      dateHeaders(reply, r.items);
      return send(reply, { more: Boolean(r.next), ...(r.next ? { next: r.next } : {}), objects: r.items.map((i) => i.doc) });
    });

    t.post(`/${rootName}/collections/:id/objects/`, async (req, reply) => {
      const c = await collectionFor(req, (req.params as { id: string }).id, true);
      const ct = String(req.headers['content-type'] ?? '');
      if (!/^application\/taxii\+json/i.test(ct) || /version=(?!2\.1)/i.test(ct)) throw new TaxiiHttpError(415, `POST bodies must be ${TAXII_MEDIA}`);
      const body = req.body as Record<string, unknown> | undefined;
      if (!body || typeof body !== 'object' || !Array.isArray(body.objects)) throw new TaxiiHttpError(400, 'The body must be a TAXII envelope: {"objects": [...]}');
      const requestTime = new Date().toISOString();
      const parsed = parseStix({ objects: body.objects }, { source: `taxii:${c.alias ?? c.id}` });
      const bad = new Map(parsed.rejected.map((r) => [r.ref, r.reason]));
      const good = (body.objects as Record<string, unknown>[]).filter((o) => o && typeof o === 'object' && typeof o.id === 'string' && !bad.has(o.id));
      const put = await store.putTaxiiObjects(c.id, good);
      // what partners add to the exchange is intel for us too
      if (c.kind === 'exchange') await storeParsed(store, parsed, `taxii:${c.alias ?? c.id}`);
      const status = {
        id: uuidv4(), status: 'complete', request_timestamp: requestTime,
        total_count: body.objects.length, success_count: good.length, failure_count: parsed.rejected.length, pending_count: 0,
        successes: good.map((o) => ({ id: o.id, version: typeof o.modified === 'string' ? o.modified : typeof o.created === 'string' ? o.created : undefined, message: put.items.some((i) => i.id === o.id) ? 'added' : 'already held' })),
        failures: parsed.rejected.map((r) => ({ id: r.ref, message: r.reason })),
      };
      await store.putDoc('taxii-status', status.id, status);
      return send(reply, status, 202);
    });

    t.get(`/${rootName}/collections/:id/objects/:objectId/`, async (req, reply) => {
      const { id, objectId } = req.params as { id: string; objectId: string };
      const c = await collectionFor(req, id, false);
      const f = parseFilters(req.query as Q);
      const r = await page(c.id, { ...f, ids: [objectId] });
      if (!r.items.length && !f.after) throw new TaxiiHttpError(404, `No object ${objectId} in this collection`);
      dateHeaders(reply, r.items);
      return send(reply, { more: Boolean(r.next), ...(r.next ? { next: r.next } : {}), objects: r.items.map((i) => i.doc) });
    });

    t.delete(`/${rootName}/collections/:id/objects/:objectId/`, async (req, reply) => {
      const { id, objectId } = req.params as { id: string; objectId: string };
      const c = await collectionFor(req, id, true);
      const versions = list((req.query as Q)['match[version]'])?.filter((v) => v !== 'all');
      const n = await store.deleteTaxiiObject(c.id, objectId, versions?.length ? versions : undefined);
      if (!n) throw new TaxiiHttpError(404, `No object ${objectId} in this collection`);
      return reply.code(200).header('content-type', TAXII_MEDIA).send();
    });

    t.get(`/${rootName}/collections/:id/objects/:objectId/versions/`, async (req, reply) => {
      const { id, objectId } = req.params as { id: string; objectId: string };
      const c = await collectionFor(req, id, false);
      const f = parseFilters(req.query as Q);
      const r = await page(c.id, { ...f, ids: [objectId], versions: 'all' });
      if (!r.items.length && !f.after) throw new TaxiiHttpError(404, `No object ${objectId} in this collection`);
      dateHeaders(reply, r.items);
      return send(reply, { more: Boolean(r.next), ...(r.next ? { next: r.next } : {}), versions: r.items.map((i) => i.version) });
    });

    t.get(`/${rootName}/collections/:id/manifest/`, async (req, reply) => {
      const c = await collectionFor(req, (req.params as { id: string }).id, false);
      const r = await page(c.id, parseFilters(req.query as Q));
      dateHeaders(reply, r.items);
      return send(reply, {
        more: Boolean(r.next), ...(r.next ? { next: r.next } : {}),
        objects: r.items.map((i) => ({ id: i.id, date_added: i.date_added, version: i.version, media_type: STIX_MEDIA })),
      });
    });

    // anything else under the prefix: a TAXII-shaped 404 rather than the service's
    t.setNotFoundHandler(async (req, reply) => send(reply, { title: `No TAXII resource at ${req.url.split('?')[0]}`, http_status: '404' }, 404));
  }, { prefix });
}

/**
 * An authorizer for HTTP basic or bearer-token auth against fixed credentials (tests, and `serve` setups that give
 * partners TAXII-only accounts in the site file). `readers` may read; `writers` may also add and delete.
 */
export function staticAuthorizer(creds: { users?: Record<string, { password: string; write?: boolean }>; tokens?: Record<string, { write?: boolean }> }): TaxiiAuthorize {
  return (req, need) => {
    const h = req.headers.authorization;
    if (typeof h !== 'string') return 401;
    let write: boolean | undefined;
    const bearer = /^Bearer\s+(\S+)$/i.exec(h);
    const basic = /^Basic\s+(\S+)$/i.exec(h);
    if (bearer) { const t = creds.tokens?.[bearer[1]]; if (t) write = Boolean(t.write); }
    else if (basic) {
      const [user, ...rest] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      const u = creds.users?.[user];
      if (u && u.password === rest.join(':')) write = Boolean(u.write);
    }
    if (write === undefined) return 401;
    return need.write ? (write ? true : 403) : true;
  };
}
