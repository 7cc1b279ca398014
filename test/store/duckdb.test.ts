import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.js';
import type { Alert } from '../../src/model/alert.js';

function alert(id: string, time: string, severity: Alert['severity']): Alert {
  return { id, time, detector: 'sigma', rule: { id: 'r1', title: 'T', level: severity, tags: [] }, severity, attack: ['T1078'], device: 'edge1' };
}

test('alerts are deduplicated by id, filtered and paged; data survives reopening', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'tw-store-')), 'x.duckdb');
  let s = await DuckDbStore.open(file);
  assert.equal(await s.insertAlerts([alert('a', '2026-01-01T00:00:00Z', 'low'), alert('b', '2026-01-02T00:00:00Z', 'high')]), 2);
  assert.equal(await s.insertAlerts([alert('a', '2026-01-01T00:00:00Z', 'low')]), 0);
  const high = await s.listAlerts({ minSeverity: 'medium' });
  assert.equal(high.total, 1);
  assert.equal(high.items[0].id, 'b');
  await s.putDoc('token', 'h1', { role: 'admin' });
  await s.close();
  s = await DuckDbStore.open(file);
  assert.equal(await s.countRows('alerts'), 2);
  assert.deepEqual(await s.getDoc('token', 'h1'), { role: 'admin' });
  assert.equal((await s.listAlerts({ limit: 1, order: 'asc' })).items[0].id, 'a');
  await assert.rejects(() => s.countRows('alerts; drop table alerts'));
  await s.close();
});
