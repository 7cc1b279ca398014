import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.js';
import { IncidentManager } from '../../src/correlation/manager.js';
import { Metrics } from '../../src/serve/metrics.js';
import { TokenStore } from '../../src/serve/tokens.js';
import { buildHttp } from '../../src/serve/http.js';
import { taxiiMount } from '../../src/serve/taxii-mount.js';
import { DEFAULT_COLLECTIONS, TAXII_MEDIA } from '../../src/serve/taxii.js';
import { siteFromObject } from '../../src/site/load.js';

// TAXII 2.1 as the service mounts it: behind the API's tokens (Bearer, or basic with the token as password),
// read for any role, writes for analyst and above.
test('the service serves TAXII 2.1 under /taxii2/ with the API tokens and roles', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-taxii-svc-'));
  const store = await DuckDbStore.open(':memory:');
  const tokens = TokenStore.forData(dir);
  const metrics = new Metrics({ store, defaults: false });
  const incidents = await IncidentManager.open(store);
  const site = siteFromObject({ organization: { name: 'Example Carrier SOC', contact: 'soc@example.net' } });
  const app = await buildHttp({ store, tokens, incidents, metrics, health: () => ({ status: 'ok' }), capabilities: {}, mounts: [taxiiMount(store, site)] });
  try {
    const viewer = tokens.create('viewer', 'partner-ro').token;
    const analyst = tokens.create('analyst', 'ann').token;
    const hdr = (auth: string) => ({ authorization: auth, accept: TAXII_MEDIA });
    assert.equal((await app.inject({ url: '/taxii2/', headers: { accept: TAXII_MEDIA } })).statusCode, 401);
    assert.equal((await app.inject({ url: '/taxii2/', headers: hdr('Bearer not-a-token') })).statusCode, 401);
    const disc = await app.inject({ url: '/taxii2/', headers: hdr(`Bearer ${viewer}`) });
    assert.equal(disc.statusCode, 200);
    assert.match(String(disc.headers['content-type']), /application\/taxii\+json/);
    const basic = `Basic ${Buffer.from(`partner:${viewer}`).toString('base64')}`;
    const cols = await app.inject({ url: '/taxii2/tidewatch/collections/', headers: hdr(basic) });
    assert.equal(cols.statusCode, 200);
    const listed = (cols.json() as { collections: { id: string; can_write: boolean }[] }).collections;
    const exchange = listed.find((c) => c.id === DEFAULT_COLLECTIONS[1].id);
    assert.ok(exchange, 'the exchange collection is listed');
    assert.equal(exchange.can_write, false, 'and a viewer is told it may not write there');
    const bundle = { type: 'bundle', id: 'bundle--00000000-0000-4000-8000-000000000001', objects: [{ type: 'indicator', spec_version: '2.1', id: 'indicator--00000000-0000-4000-8000-000000000009', created: '2026-11-01T00:00:00.000Z', modified: '2026-11-01T00:00:00.000Z', pattern: "[ipv4-addr:value = '198.51.100.9']", pattern_type: 'stix', valid_from: '2026-11-01T00:00:00.000Z' }] };
    const post = (auth: string) => app.inject({ method: 'POST', url: `/taxii2/tidewatch/collections/${exchange.id}/objects/`, headers: { ...hdr(auth), 'content-type': 'application/taxii+json;version=2.1' }, payload: JSON.stringify(bundle) });
    assert.equal((await post(`Bearer ${viewer}`)).statusCode, 403, 'a viewer may not write');
    assert.equal((await post(`Bearer ${analyst}`)).statusCode, 202, 'an analyst may');
  } finally {
    await app.close();
    await store.close();
  }
});
