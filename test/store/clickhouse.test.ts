import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ClickHouseStore } from '../../src/store/clickhouse/clickhouse-store.js';
import { startClickHouse, type RunningServer } from '../servers.js';
import { alertFixture, storeContract } from './contract.js';
import { retentionSettings } from '../../src/serve/roles/options.js';

// A real clickhouse-server (Debian's package, installed by .ci/run), private to this test file.
let server: RunningServer;
let n = 0;
let db = '';
before(async () => { server = await startClickHouse(); });
after(async () => { await server?.stop(); });

storeContract(
  'clickhouse',
  async () => {
    db = `t${process.pid}_${++n}`;
    return ClickHouseStore.open({ url: server.url, database: db });
  },
  async () => ClickHouseStore.open({ url: server.url, database: db }),
);

test('retention drops whole day partitions older than the configured days, and only those', async () => {
  const store = await ClickHouseStore.open({ url: server.url, database: `ret${process.pid}` });
  try {
    const day = 86400000;
    const old = new Date(Date.now() - 40 * day).toISOString();
    const recent = new Date(Date.now() - 2 * day).toISOString();
    await store.insertAlerts([alertFixture('a-old', old, 'high'), alertFixture('a-new', recent, 'high')]);
    assert.equal(await store.countRows('alerts'), 2);
    const dropped = await store.applyRetention('alerts', 30);
    assert.deepEqual(dropped.length, 1, `dropped ${dropped.join(', ')}`);
    assert.equal(await store.countRows('alerts'), 1);
    assert.deepEqual((await store.getAlerts(['a-new', 'a-old'])).map((a) => a.id), ['a-new']);
  } finally {
    await store.close();
  }
});

test('scaleout.retention in the site file: whole days per table, clear errors otherwise', () => {
  assert.deepEqual(retentionSettings({ events: '30d', alerts: '400d' }), { events: 30, alerts: 400 });
  assert.deepEqual(retentionSettings(undefined), {});
  assert.throws(() => retentionSettings({ events: '12h' }), /whole number of days/);
  assert.throws(() => retentionSettings({ incidents: '30d' }), /only events, flows and alerts/);
});
