import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.js';
import { registerTaxii, staticAuthorizer, DEFAULT_COLLECTIONS, TAXII_MEDIA } from '../../src/serve/taxii.js';
import { pullTaxii, pushTaxii, TaxiiError } from '../../src/sources/taxii.js';
import { matcherFromRecords } from '../../src/pipeline/intel.js';
import { siteFromObject } from '../../src/site/load.js';

// A real Fastify instance on 127.0.0.1, port 0, driven over HTTP by our own TAXII client and by fetch.
let app: FastifyInstance;
let server: DuckDbStore;
let base = '';
const SIGHTINGS = DEFAULT_COLLECTIONS[0].id;
const EXCHANGE = DEFAULT_COLLECTIONS[1].id;
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const READER = { authorization: basic('reader', 'r-secret'), accept: TAXII_MEDIA };
const PARTNER = { authorization: basic('partner', 'p-secret'), accept: TAXII_MEDIA };

function indicator(i: number, modified = '2026-11-01T00:00:00.000Z'): Record<string, unknown> {
  const id = `indicator--00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  return { type: 'indicator', spec_version: '2.1', id, created: '2026-11-01T00:00:00.000Z', modified, pattern: `[ipv4-addr:value = '198.51.100.${i}']`, pattern_type: 'stix', valid_from: '2026-11-01T00:00:00.000Z', confidence: 70 };
}

before(async () => {
  server = await DuckDbStore.open(':memory:');
  // our own sightings: intel alerts from the matcher
  const m = matcherFromRecords([{ id: 'indicator--11111111-1111-4111-8111-111111111111', pattern: "[ipv4-addr:value = '203.0.113.9']", source: 'isac', revoked: false, modified: '2026-01-01T00:00:00Z', attack: ['T1071'], actors: [], confidence: 80 }]);
  const alerts = [1, 2, 3].flatMap((k) => m.matchEvent({ time: `2026-11-20T0${k}:00:00Z`, host: 'edge1', message: `Login from 203.0.113.9 port 2${k}` }));
  assert.equal(alerts.length, 3);
  await server.insertAlerts(alerts);
  app = Fastify();
  await registerTaxii(app, {
    store: server,
    site: siteFromObject({ organization: { name: 'Example Carrier SOC', contact: 'soc@example.net' } }),
    authorize: staticAuthorizer({ users: { reader: { password: 'r-secret' }, partner: { password: 'p-secret', write: true } }, tokens: { 'tok-w': { write: true } } }),
    pageSize: 3, maxContentLength: 64 * 1024,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  assert.ok(addr && typeof addr === 'object');
  base = `http://127.0.0.1:${addr.port}`;
});

after(async () => {
  await app?.close();
  await server?.close();
});

async function get(path: string, headers: Record<string, string> = READER): Promise<{ status: number; type: string | null; body: Record<string, unknown>; headers: Headers }> {
  const r = await fetch(base + path, { headers });
  const text = await r.text();
  return { status: r.status, type: r.headers.get('content-type'), body: text ? JSON.parse(text) : {}, headers: r.headers };
}

test('TAXII media types and status codes', async () => {
  const d = await get('/taxii2/');
  assert.equal(d.status, 200);
  assert.equal(d.type, TAXII_MEDIA);
  assert.deepEqual(d.body.api_roots, ['/taxii2/tidewatch/']);
  assert.equal(d.body.contact, 'soc@example.net');
  const noAuth = await get('/taxii2/', { accept: TAXII_MEDIA });
  assert.equal(noAuth.status, 401);
  assert.equal(noAuth.type, TAXII_MEDIA);
  assert.equal(noAuth.body.http_status, '401');
  assert.equal((await get('/taxii2/', { ...READER, authorization: basic('reader', 'wrong') })).status, 401);
  assert.equal((await get('/taxii2/', { ...READER, accept: 'application/json' })).status, 406);
  assert.equal((await get('/taxii2/', { ...READER, accept: 'application/taxii+json;version=2.0' })).status, 406);
  assert.equal((await get('/taxii2/', { authorization: READER.authorization, accept: 'application/taxii+json' })).status, 200);
  const root = await get('/taxii2/tidewatch/');
  assert.deepEqual(root.body.versions, [TAXII_MEDIA]);
  assert.equal(root.body.max_content_length, 64 * 1024);
  const cols = (await get('/taxii2/tidewatch/collections/')).body.collections as Record<string, unknown>[];
  assert.deepEqual(cols.map((c) => [c.id, c.can_read, c.can_write]), [[SIGHTINGS, true, false], [EXCHANGE, true, false]], 'reader may not write');
  const pcols = (await get('/taxii2/tidewatch/collections/', PARTNER)).body.collections as Record<string, unknown>[];
  assert.equal(pcols[1].can_write, true);
  assert.deepEqual(pcols[1].media_types, ['application/stix+json;version=2.1']);
  assert.equal((await get(`/taxii2/tidewatch/collections/${EXCHANGE}/`)).body.title, 'Partner indicator exchange');
  assert.equal((await get('/taxii2/tidewatch/collections/00000000-0000-4000-8000-000000000000/objects/')).status, 404);
  assert.equal((await get('/taxii2/tidewatch/nothing-here/')).status, 404);
  assert.equal((await get(`/taxii2/tidewatch/collections/${EXCHANGE}/objects/?limit=zero`)).status, 400);
  assert.equal((await get(`/taxii2/tidewatch/collections/${EXCHANGE}/objects/?added_after=yesterday`)).status, 400);
  assert.equal((await get(`/taxii2/tidewatch/collections/${EXCHANGE}/objects/?next=garbage`)).status, 400);

  const post = (coll: string, headers: Record<string, string>, body: string) => fetch(`${base}/taxii2/tidewatch/collections/${coll}/objects/`, { method: 'POST', headers, body });
  const env = JSON.stringify({ objects: [indicator(1)] });
  assert.equal((await post(SIGHTINGS, { ...PARTNER, 'content-type': TAXII_MEDIA }, env)).status, 403, 'read-only collection');
  assert.equal((await post(EXCHANGE, { ...READER, 'content-type': TAXII_MEDIA }, env)).status, 403, 'reader may not write');
  assert.equal((await post(EXCHANGE, { ...PARTNER, 'content-type': 'application/json' }, env)).status, 415);
  assert.equal((await post(EXCHANGE, { ...PARTNER, 'content-type': 'application/taxii+json;version=2.0' }, env)).status, 415);
  const big = JSON.stringify({ objects: Array.from({ length: 600 }, (_, i) => indicator(i)) });
  const tooBig = await post(EXCHANGE, { ...PARTNER, 'content-type': TAXII_MEDIA }, big);
  assert.equal(tooBig.status, 413);
  assert.equal(tooBig.headers.get('content-type'), TAXII_MEDIA);
  assert.equal((await post(EXCHANGE, { ...PARTNER, 'content-type': TAXII_MEDIA }, '{"objects": [')).status, 400);
});

test('partners push to the exchange; our pull client pages, resumes and imports', async () => {
  const objs = [1, 2, 3, 4, 5, 6, 7].map((i) => indicator(i));
  const bad = { ...indicator(8), pattern: "[ipv4-addr:value = '198.51.100.8'" };
  const status = await pushTaxii(`${base}/taxii2/`, EXCHANGE, [...objs, bad], { auth: { token: 'tok-w' } });
  assert.equal(status.status, 'complete');
  assert.equal(status.success_count, 7);
  assert.equal(status.failure_count, 1);
  assert.match(String((status.failures as { message: string }[])[0].message), /pattern error at offset 33: expected '\]'/);
  const st = await get(`/taxii2/tidewatch/status/${String(status.id)}/`);
  assert.equal(st.status, 200);
  assert.equal(st.body.success_count, 7);
  // what the partner pushed is intel for us now
  const ours = await server.listIndicators();
  assert.ok(ours.some((r) => r.pattern === "[ipv4-addr:value = '198.51.100.7']" && r.source === 'taxii:exchange'));

  const client = await DuckDbStore.open(':memory:');
  try {
    // interrupted after one page...
    const first = await pullTaxii(client, { url: `${base}/taxii2/`, collection: EXCHANGE, auth: { user: 'reader', password: 'r-secret' }, limit: 3, maxPages: 1 });
    assert.deepEqual([first.pages, first.objects, first.added], [1, 3, 3]);
    // ...resumes where it stopped, paging through the rest
    const rest = await pullTaxii(client, { url: `${base}/taxii2/tidewatch/`, collection: EXCHANGE, auth: { user: 'reader', password: 'r-secret' }, limit: 3 });
    assert.equal(rest.objects, 4);
    assert.equal(rest.added, 4);
    assert.equal(rest.pages, 2);
    assert.equal(rest.skipped, 0, 'nothing fetched twice');
    assert.equal((await client.listIndicators()).length, 7);
    // nothing new: one empty page
    const none = await pullTaxii(client, { url: `${base}/taxii2/`, collection: EXCHANGE, auth: { user: 'reader', password: 'r-secret' }, limit: 3 });
    assert.deepEqual([none.objects, none.added], [0, 0]);
    // a newer version of one indicator arrives and replaces ours
    await pushTaxii(`${base}/taxii2/`, EXCHANGE, [{ ...indicator(2, '2026-11-10T00:00:00.000Z'), revoked: true }], { auth: { user: 'partner', password: 'p-secret' } });
    const upd = await pullTaxii(client, { url: `${base}/taxii2/`, collection: EXCHANGE, auth: { user: 'reader', password: 'r-secret' } });
    assert.deepEqual([upd.objects, upd.updated], [1, 1]);
    assert.equal((await client.listIndicators({ liveAt: '2026-11-20T00:00:00Z' })).length, 6);
    // explicit --added-after far in the past re-reads everything but changes nothing
    const all = await pullTaxii(client, { url: `${base}/taxii2/`, collection: EXCHANGE, auth: { user: 'reader', password: 'r-secret' }, addedAfter: '2000-01-01T00:00:00Z', limit: 100 });
    assert.deepEqual([all.objects, all.added, all.updated], [7, 0, 0]);
    await assert.rejects(() => pullTaxii(client, { url: `${base}/taxii2/`, collection: EXCHANGE, auth: { user: 'reader', password: 'nope' } }), (e: unknown) => e instanceof TaxiiError && e.status === 401);
    await assert.rejects(() => pullTaxii(client, { url: `${base}/taxii2/`, collection: 'no-such', auth: { user: 'reader', password: 'r-secret' } }), (e: unknown) => e instanceof TaxiiError && e.status === 404);
  } finally { await client.close(); }

  // manifest, versions, one object, delete
  const man = await get(`/taxii2/tidewatch/collections/${EXCHANGE}/manifest/?limit=100`);
  const entries = man.body.objects as { id: string; date_added: string; version: string; media_type: string }[];
  assert.equal(entries.length, 7);
  assert.ok(entries.every((e) => /\.\d{6}Z$/.test(e.date_added) && e.media_type === 'application/stix+json;version=2.1'));
  assert.equal(man.headers.get('x-taxii-date-added-last'), entries[6].date_added);
  const id2 = String(indicator(2).id);
  const vers = await get(`/taxii2/tidewatch/collections/${EXCHANGE}/objects/${id2}/versions/`);
  assert.deepEqual(vers.body.versions, ['2026-11-01T00:00:00.000Z', '2026-11-10T00:00:00.000Z']);
  const firstV = await get(`/taxii2/tidewatch/collections/${EXCHANGE}/objects/${id2}/?match[version]=first`);
  assert.equal((firstV.body.objects as Record<string, unknown>[])[0].modified, '2026-11-01T00:00:00.000Z');
  const typed = await get(`/taxii2/tidewatch/collections/${EXCHANGE}/objects/?match[type]=malware`);
  assert.deepEqual(typed.body.objects, []);
  assert.equal(typed.body.more, false);
  const del = await fetch(`${base}/taxii2/tidewatch/collections/${EXCHANGE}/objects/${id2}/`, { method: 'DELETE', headers: PARTNER });
  assert.equal(del.status, 200);
  assert.equal((await get(`/taxii2/tidewatch/collections/${EXCHANGE}/objects/${id2}/`)).status, 404);
  assert.equal((await fetch(`${base}/taxii2/tidewatch/collections/${EXCHANGE}/objects/${id2}/`, { method: 'DELETE', headers: READER })).status, 403);
});

test('the sightings collection serves our sightings as STIX', async () => {
  const r = await get(`/taxii2/tidewatch/collections/${SIGHTINGS}/objects/?limit=100`);
  assert.equal(r.status, 200);
  const objs = r.body.objects as Record<string, unknown>[];
  const types = objs.map((o) => o.type).sort();
  assert.deepEqual(types, ['identity', 'ipv4-addr', 'marking-definition', 'observed-data', 'sighting']);
  const s = objs.find((o) => o.type === 'sighting')!;
  assert.equal(s.sighting_of_ref, 'indicator--11111111-1111-4111-8111-111111111111');
  assert.equal(s.count, 3);
  assert.equal(s.first_seen, '2026-11-20T01:00:00.000Z');
  assert.equal(s.last_seen, '2026-11-20T03:00:00.000Z');
  assert.deepEqual(s.object_marking_refs, ['marking-definition--f88d31f6-486f-44da-b317-01333bde0b82']);
  assert.equal(objs.find((o) => o.type === 'identity')!.name, 'Example Carrier SOC');
  assert.equal(objs.find((o) => o.type === 'ipv4-addr')!.value, '203.0.113.9');
  // pulled by a partner through our own client, it lands as stored objects (no indicators: sightings are not IOCs)
  const partner = await DuckDbStore.open(':memory:');
  try {
    const p = await pullTaxii(partner, { url: `${base}/taxii2/`, collection: 'sightings', auth: { user: 'reader', password: 'r-secret' }, limit: 2 });
    assert.equal(p.objects, 5);
    assert.equal(p.pages, 3);
    assert.equal((await partner.listIntelObjects({ types: ['sighting'] })).total, 1);
    assert.equal((await partner.listIndicators()).length, 0);
  } finally { await partner.close(); }
});
