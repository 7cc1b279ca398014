// The two endpoints the web console added to the API: /api/v1/attack (its ATT&CK matrix) and the capability
// flags in /api/v1/me (so it offers only what this build answers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.js';
import { IncidentManager } from '../../src/correlation/manager.js';
import { Metrics } from '../../src/serve/metrics.js';
import { TokenStore } from '../../src/serve/tokens.js';
import { buildHttp } from '../../src/serve/http.js';
import type { Capabilities } from '../../src/serve/context.js';
import { REPO_ROOT } from '../corpus.js';

async function setup(capabilities: Capabilities) {
  const store = await DuckDbStore.open(':memory:');
  const tokens = TokenStore.forData(mkdtempSync(join(tmpdir(), 'tw-capi-')));
  const app = await buildHttp({
    store, tokens, incidents: await IncidentManager.open(store), metrics: new Metrics({ store, defaults: false }),
    health: () => ({ status: 'ok' }), capabilities,
  });
  return { app, token: tokens.create('viewer', 'vic').token, close: async () => { await app.close(); await store.close(); } };
}

test('GET /api/v1/attack answers the technique table with tactics in kill-chain order', async () => {
  const { app, token, close } = await setup({});
  try {
    assert.equal((await app.inject('/api/v1/attack')).statusCode, 401);
    const r = await app.inject({ url: '/api/v1/attack', headers: { authorization: `Bearer ${token}` } });
    assert.equal(r.statusCode, 200);
    const body = r.json() as { tactics: string[]; techniques: { id: string; name: string; tactic: string }[] };
    const file = parseYaml(readFileSync(join(REPO_ROOT, 'rules/attack/techniques.yml'), 'utf8')) as { tactic_order: string[]; techniques: Record<string, { name: string; tactic: string }> };
    assert.deepEqual(body.tactics, file.tactic_order);
    assert.equal(body.techniques.length, Object.keys(file.techniques).length);
    const t1190 = body.techniques.find((t) => t.id === 'T1190');
    assert.deepEqual(t1190, { id: 'T1190', name: file.techniques.T1190.name, tactic: file.techniques.T1190.tactic });
    for (const t of body.techniques) assert.ok(body.tactics.includes(t.tactic), `${t.id} has a tactic in the order`);
  } finally {
    await close();
  }
});

test('GET /api/v1/me says which optional capabilities the build answers', async () => {
  const none = await setup({});
  try {
    const me = (await none.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${none.token}` } })).json();
    // the incident report has a built-in renderer (src/sinks/incident-report.ts), so it is always answered
    assert.deepEqual(me.capabilities, { indicators: false, access: false, report: true });
    assert.equal(me.role, 'viewer');
  } finally {
    await none.close();
  }
  const some = await setup({ report: () => ({ contentType: 'text/plain', body: '' }), access: { operators: async () => [] } });
  try {
    const me = (await some.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${some.token}` } })).json();
    assert.deepEqual(me.capabilities, { indicators: false, access: true, report: true });
  } finally {
    await some.close();
  }
});
