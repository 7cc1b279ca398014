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
import type { Alert } from '../../src/model/alert.js';

function alert(id: string, time: string, device: string, attack: string[], severity: Alert['severity'] = 'high'): Alert {
  return { id, time, detector: 'sigma', rule: { id: `rule-${id}`, title: `Rule ${id}`, level: severity, tags: [] }, severity, attack, device };
}

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'tw-http-'));
  const store = await DuckDbStore.open(':memory:');
  const tokens = TokenStore.forData(dir);
  const metrics = new Metrics({ store, defaults: false });
  const incidents = await IncidentManager.open(store);
  const app = await buildHttp({ store, tokens, incidents, metrics, health: () => ({ status: 'ok' }), capabilities: {} });
  const t = {
    viewer: tokens.create('viewer', 'vic').token,
    analyst: tokens.create('analyst', 'ann').token,
    admin: tokens.create('admin', 'ada').token,
  };
  const auth = (tok: string) => ({ authorization: `Bearer ${tok}` });
  return { app, store, tokens, incidents, t, auth, close: async () => { await app.close(); await store.close(); } };
}

test('health and the console answer without a token; everything else needs one (401) and the right role (403)', async () => {
  const { app, t, auth, close } = await setup();
  try {
    assert.deepEqual((await app.inject('/health')).json(), { status: 'ok' });
    assert.equal((await app.inject('/')).statusCode, 200);
    for (const url of ['/api/v1/incidents', '/api/v1/openapi.json', '/metrics', '/api/v1/nope', '/taxii2/']) {
      const r = await app.inject(url);
      assert.equal(r.statusCode, 401, url);
      assert.match(r.json().error, /token/);
    }
    assert.equal((await app.inject({ url: '/api/v1/incidents', headers: auth('tw_not_a_real_token') })).statusCode, 401);
    assert.equal((await app.inject({ url: '/api/v1/incidents', headers: auth(t.viewer) })).statusCode, 200);
    assert.equal((await app.inject({ url: '/api/v1/tokens', headers: auth(t.analyst) })).statusCode, 403);
    assert.equal((await app.inject({ url: '/api/v1/tokens', headers: auth(t.admin) })).statusCode, 200);
    assert.deepEqual((await app.inject({ url: '/api/v1/me', headers: auth(t.analyst) })).json().role, 'analyst');
    const m = await app.inject({ url: '/metrics', headers: auth(t.viewer) });
    assert.match(m.body, /tidewatch_store_rows\{table="alerts"\} 0/);
  } finally {
    await close();
  }
});

test('bad input answers 400 naming the field', async () => {
  const { app, t, auth, close } = await setup();
  try {
    const cases: [string, RegExp, string | undefined][] = [
      ['/api/v1/alerts?limit=0', /limit/, 'limit'],
      ['/api/v1/alerts?severity=urgent', /must be one of/, 'severity'],
      ['/api/v1/alerts?since=yesterday', /since/, 'since'],
      ['/api/v1/alerts?colour=red', /unknown parameter "colour"/, 'colour'],
      ['/api/v1/incidents?sort=name', /sort/, 'sort'],
      ['/api/v1/alerts?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z', /since must be before until/, 'since'],
    ];
    for (const [url, re, field] of cases) {
      const r = await app.inject({ url, headers: auth(t.viewer) });
      assert.equal(r.statusCode, 400, url);
      assert.match(r.json().error, re, url);
      assert.equal(r.json().field, field, url);
    }
    const p = await app.inject({ method: 'PATCH', url: '/api/v1/incidents/INC-x', headers: auth(t.analyst), payload: { state: 'done' } });
    assert.equal(p.statusCode, 400);
    assert.equal((await app.inject({ method: 'PATCH', url: '/api/v1/incidents/INC-x', headers: auth(t.analyst), payload: { state: 'closed' } })).statusCode, 404);
  } finally {
    await close();
  }
});

test('incidents: listed, filtered, read with alerts, changed with who/when, false-positive suppression respected', async () => {
  const { app, incidents, store, t, auth, close } = await setup();
  try {
    await incidents.ingest([
      alert('a1', '2026-11-01T10:00:00.000Z', 'edge1', ['T1190'], 'critical'),
      alert('a2', '2026-11-01T10:05:00.000Z', 'edge1', ['T1136.001']),
      alert('b1', '2026-11-01T10:00:00.000Z', 'core7', ['T1046'], 'low'),
    ]);
    const list = (await app.inject({ url: '/api/v1/incidents?sort=severity', headers: auth(t.viewer) })).json();
    assert.equal(list.total, 2);
    assert.deepEqual(list.items[0].devices, ['edge1']);
    const onlyEdge = (await app.inject({ url: '/api/v1/incidents?device=edge1&state=open', headers: auth(t.viewer) })).json();
    assert.equal(onlyEdge.total, 1);
    const id = onlyEdge.items[0].id;
    const one = (await app.inject({ url: `/api/v1/incidents/${id}`, headers: auth(t.viewer) })).json();
    assert.deepEqual(one.alerts.map((a: Alert) => a.id), ['a1', 'a2']);
    assert.deepEqual(one.techniques.map((x: { technique: string }) => x.technique), ['T1190', 'T1136.001']);

    // viewer cannot change; analyst can
    assert.equal((await app.inject({ method: 'PATCH', url: `/api/v1/incidents/${id}`, headers: auth(t.viewer), payload: { state: 'investigating' } })).statusCode, 403);
    const inv = (await app.inject({ method: 'PATCH', url: `/api/v1/incidents/${id}`, headers: auth(t.analyst), payload: { state: 'investigating', assignee: 'ann' } })).json();
    assert.equal(inv.state, 'investigating');
    assert.equal(inv.assignee, 'ann');
    const last = inv.history[inv.history.length - 1];
    assert.equal(last.by, 'ann');
    assert.equal(last.state, 'investigating');
    assert.ok(Date.parse(last.at) > 0);
    const noted = (await app.inject({ method: 'POST', url: `/api/v1/incidents/${id}/notes`, headers: auth(t.analyst), payload: { text: 'called the NOC' } })).json();
    assert.equal(noted.notes[0].text, 'called the NOC');

    // suppress without false_positive is refused
    assert.equal((await app.inject({ method: 'PATCH', url: `/api/v1/incidents/${id}`, headers: auth(t.analyst), payload: { suppress: true } })).statusCode, 400);
    const fp = (await app.inject({ method: 'PATCH', url: `/api/v1/incidents/${id}`, headers: auth(t.analyst), payload: { state: 'false_positive', suppress: true, note: 'lab router' } })).json();
    assert.equal(fp.state, 'false_positive');
    const sups = (await app.inject({ url: '/api/v1/suppressions', headers: auth(t.viewer) })).json();
    assert.equal(sups.total, 2); // one per (rule, device)

    // the same rule on the same device later: suppressed, no new incident; another device: a new incident
    const r = await incidents.ingest([
      { ...alert('a3', '2026-11-02T10:00:00.000Z', 'edge1', ['T1190'], 'critical'), rule: { id: 'rule-a1', title: 'Rule a1', level: 'critical', tags: [] } },
      { ...alert('a4', '2026-11-02T10:00:00.000Z', 'edge2', ['T1190'], 'critical'), rule: { id: 'rule-a1', title: 'Rule a1', level: 'critical', tags: [] } },
    ]);
    assert.equal(r.suppressed, 1);
    assert.deepEqual(r.stored.map((a) => a.id), ['a4']);
    assert.equal(r.created, 1);
    assert.equal(await store.countRows('incidents'), 3);
    const after = (await app.inject({ url: '/api/v1/suppressions', headers: auth(t.viewer) })).json();
    assert.equal(after.items.find((s: { rule: string }) => s.rule === 'rule-a1').hits, 1);
    // admin removes a suppression
    const supId = after.items[0].id;
    assert.equal((await app.inject({ method: 'DELETE', url: `/api/v1/suppressions/${supId}`, headers: auth(t.analyst) })).statusCode, 403);
    assert.equal((await app.inject({ method: 'DELETE', url: `/api/v1/suppressions/${supId}`, headers: auth(t.admin) })).statusCode, 204);

    const alerts = (await app.inject({ url: '/api/v1/alerts?severity=high&order=asc&limit=2', headers: auth(t.viewer) })).json();
    assert.equal(alerts.total, 3);
    assert.deepEqual(alerts.items.map((a: Alert) => a.id), ['a1', 'a2']);
    const ov = (await app.inject({ url: '/api/v1/overview?since=2026-10-01T00:00:00Z', headers: auth(t.viewer) })).json();
    assert.equal(ov.alerts_over_time.reduce((s: number, b: { count: number }) => s + b.count, 0), 4);
  } finally {
    await close();
  }
});

test('tokens via the API: admin creates one that works at once, revokes it and it stops working', async () => {
  const { app, t, auth, close } = await setup();
  try {
    const made = await app.inject({ method: 'POST', url: '/api/v1/tokens', headers: auth(t.admin), payload: { role: 'viewer', name: 'console' } });
    assert.equal(made.statusCode, 201);
    const { token, id } = made.json();
    assert.match(token, /^tw_/);
    assert.equal((await app.inject({ url: '/api/v1/me', headers: auth(token) })).json().name, 'console');
    const list = (await app.inject({ url: '/api/v1/tokens', headers: auth(t.admin) })).json();
    assert.ok(list.items.every((x: Record<string, unknown>) => !('hash' in x) && !('token' in x)));
    assert.equal((await app.inject({ method: 'DELETE', url: `/api/v1/tokens/${id}`, headers: auth(t.admin) })).statusCode, 204);
    assert.equal((await app.inject({ url: '/api/v1/me', headers: auth(token) })).statusCode, 401);
  } finally {
    await close();
  }
});

test('the OpenAPI description lists every documented endpoint with bearer security', async () => {
  const { app, t, auth, close } = await setup();
  try {
    const doc = (await app.inject({ url: '/api/v1/openapi.json', headers: auth(t.viewer) })).json();
    assert.match(doc.openapi, /^3\./);
    for (const p of ['/api/v1/incidents', '/api/v1/incidents/{id}', '/api/v1/incidents/{id}/notes', '/api/v1/incidents/{id}/report', '/api/v1/alerts',
      '/api/v1/devices', '/api/v1/devices/{name}', '/api/v1/flows/series', '/api/v1/flows/top', '/api/v1/indicators', '/api/v1/indicators/import',
      '/api/v1/access/operators', '/api/v1/overview', '/api/v1/me', '/api/v1/tokens', '/api/v1/suppressions']) {
      assert.ok(doc.paths[p], `missing ${p}`);
    }
    assert.ok(doc.paths['/api/v1/incidents/{id}'].patch);
    assert.ok(doc.components.schemas.Incident);
    assert.deepEqual(doc.security, [{ bearer: [] }]);
  } finally {
    await close();
  }
});
