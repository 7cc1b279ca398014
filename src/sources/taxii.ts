/**
 * TAXII 2.1 client: finds the API root (from a discovery URL or an API root URL), pages through a collection's
 * objects with `limit`/`next` (or `added_after` when the server gives no `next`), stores every page before asking
 * for the next, and remembers where it got to so the next pull resumes there.
 */
import type { Store } from '../store/store.js';
import { parseStix } from '../parsers/intel/stix.js';
import { storeParsed, type ImportReport } from '../pipeline/intel.js';

export const TAXII_MEDIA = 'application/taxii+json;version=2.1';
export const STIX_MEDIA = 'application/stix+json;version=2.1';

export type TaxiiAuth = { user: string; password: string } | { token: string };

export interface TaxiiClientOptions {
  auth?: TaxiiAuth;
  /** Injected for tests; default the global fetch. */
  fetch?: typeof fetch;
  /** Per-request timeout in ms (default 60 s). */
  timeoutMs?: number;
}

export class TaxiiError extends Error {
  constructor(readonly url: string, readonly status: number, message: string) {
    super(`${url}: ${message}`);
  }
}

function headers(auth: TaxiiAuth | undefined, extra: Record<string, string> = {}): Record<string, string> {
  const h: Record<string, string> = { accept: TAXII_MEDIA, ...extra };
  if (auth && 'token' in auth) h.authorization = `Bearer ${auth.token}`;
  else if (auth) h.authorization = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
  return h;
}

/** One TAXII request; answers the parsed body and the response headers, or throws TaxiiError naming the status. */
export async function taxiiRequest(url: string, opts: TaxiiClientOptions & { method?: string; body?: unknown }): Promise<{ body: Record<string, unknown>; headers: Headers; status: number }> {
  const f = opts.fetch ?? fetch;
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), opts.timeoutMs ?? 60_000);
  let res: Response;
  try {
    res = await f(url, {
      method: opts.method ?? 'GET',
      headers: headers(opts.auth, opts.body !== undefined ? { 'content-type': TAXII_MEDIA } : {}),
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
      signal: ac.signal,
    });
  } catch (e) {
    throw new TaxiiError(url, 0, `request failed: ${(e as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
  const text = await res.text();
  let body: Record<string, unknown> = {};
  if (text) {
    try { body = JSON.parse(text) as Record<string, unknown>; } catch {
      if (res.ok) throw new TaxiiError(url, res.status, 'response is not JSON');
    }
  }
  if (!res.ok) {
    const why = typeof body.title === 'string' ? `${body.title}${typeof body.description === 'string' ? `: ${body.description}` : ''}` : res.statusText;
    const hint = res.status === 401 ? ' (check --user/--password or --token)' : res.status === 403 ? ' (this account may not read that collection)' : '';
    throw new TaxiiError(url, res.status, `HTTP ${res.status} ${why}${hint}`);
  }
  const ct = res.headers.get('content-type') ?? '';
  if (text && !/application\/(taxii|stix)\+json/i.test(ct) && !/application\/json/i.test(ct)) {
    throw new TaxiiError(url, res.status, `unexpected content type "${ct}"`);
  }
  return { body, headers: res.headers, status: res.status };
}

function withSlash(u: string): string { return u.endsWith('/') ? u : u + '/'; }

/** The API root URL for a discovery URL or an API root URL. */
export async function resolveApiRoot(url: string, opts: TaxiiClientOptions): Promise<string> {
  const u = withSlash(url);
  const { body } = await taxiiRequest(u, opts);
  if (Array.isArray(body.api_roots) || typeof body.default === 'string') {
    const root = typeof body.default === 'string' ? body.default : Array.isArray(body.api_roots) ? String(body.api_roots[0] ?? '') : '';
    if (!root) throw new TaxiiError(u, 200, 'the discovery document lists no API root');
    return withSlash(new URL(root, u).toString());
  }
  if (Array.isArray(body.versions)) return u;
  throw new TaxiiError(u, 200, 'neither a TAXII discovery document nor an API root');
}

export interface PullOptions extends TaxiiClientOptions {
  url: string;
  collection: string;
  /** Overrides the saved position. */
  addedAfter?: string;
  limit?: number;
  onPage?: (p: { page: number; objects: number }) => void;
  /** Stop after this many pages (tests of resuming). */
  maxPages?: number;
}

export interface PullResult extends Omit<ImportReport, 'format'> {
  pages: number;
  objects: number;
  /** The `added_after` the next pull will start from. */
  resume?: string;
}

/** Where a pull of one collection got to, kept in the store's docs (`taxii-cursor`). */
export function cursorKey(apiRoot: string, collection: string): string {
  return `${apiRoot}#${collection}`;
}

export async function pullTaxii(store: Store, o: PullOptions): Promise<PullResult> {
  const apiRoot = await resolveApiRoot(o.url, o);
  const key = cursorKey(apiRoot, o.collection);
  const saved = await store.getDoc<{ added_after?: string }>('taxii-cursor', key);
  let addedAfter = o.addedAfter ?? saved?.added_after;
  const source = `taxii:${apiRoot}collections/${o.collection}/`;
  const total: PullResult = { source, pages: 0, objects: 0, added: 0, updated: 0, skipped: 0, rejected: [], skipped_reasons: [], notes: [], resume: addedAfter };
  const base = `${apiRoot}collections/${encodeURIComponent(o.collection)}/objects/`;
  let next: string | undefined;
  for (;;) {
    const q = new URLSearchParams();
    q.set('limit', String(o.limit ?? 1000));
    if (addedAfter) q.set('added_after', addedAfter);
    if (next) q.set('next', next);
    const { body, headers: h } = await taxiiRequest(`${base}?${q}`, o);
    const objects = Array.isArray(body.objects) ? body.objects : [];
    const parsed = parseStix({ objects }, { source });
    const r = await storeParsed(store, parsed, source);
    total.pages++;
    total.objects += objects.length;
    total.added += r.added; total.updated += r.updated; total.skipped += r.skipped;
    total.rejected.push(...r.rejected); total.notes.push(...r.notes);
    total.skipped_reasons.push(...r.skipped_reasons);
    const last = h.get('x-taxii-date-added-last');
    const more = body.more === true;
    next = typeof body.next === 'string' && body.next ? body.next : undefined;
    if (last) {
      // saved after the page is stored: an interrupted pull resumes after the last object it kept
      total.resume = last;
      await store.putDoc('taxii-cursor', key, { added_after: last, at: new Date().toISOString() });
    }
    o.onPage?.({ page: total.pages, objects: objects.length });
    if (!more || !objects.length) break;
    if (!next) {
      if (!last) throw new TaxiiError(base, 200, 'server says more objects remain but gives neither next nor X-TAXII-Date-Added-Last');
      addedAfter = last;
    }
    if (o.maxPages && total.pages >= o.maxPages) break;
  }
  return total;
}

/** Adds objects to a read-write collection; answers the TAXII status resource. */
export async function pushTaxii(url: string, collection: string, objects: readonly Record<string, unknown>[], opts: TaxiiClientOptions): Promise<Record<string, unknown>> {
  const apiRoot = await resolveApiRoot(url, opts);
  const { body } = await taxiiRequest(`${apiRoot}collections/${encodeURIComponent(collection)}/objects/`, { ...opts, method: 'POST', body: { objects } });
  return body;
}
