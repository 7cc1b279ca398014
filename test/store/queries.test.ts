import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.js';
import type { FlowRecord } from '../../src/model/flow.js';
import type { Alert } from '../../src/model/alert.js';

function flow(src: string, dst: string, dport: number, bytes: number, t: string): FlowRecord {
  return { exporter: '10.0.0.1', time_start: t, time_end: t, src_ip: src, dst_ip: dst, src_port: 40000, dst_port: dport, protocol: 6, bytes, packets: 1, input_if: 1, output_if: 2, tcp_flags: 0, version: 9 };
}

test('flow series and top talkers, alert buckets, new-alert detection and incident counts', async () => {
  const s = await DuckDbStore.open(':memory:');
  await s.insertFlows([
    flow('10.0.0.5', '203.0.113.9', 22, 1000, '2026-11-01T10:00:10Z'),
    flow('10.0.0.5', '203.0.113.9', 22, 500, '2026-11-01T10:00:50Z'),
    flow('10.0.0.6', '198.51.100.1', 443, 300, '2026-11-01T10:01:10Z'),
  ]);
  const series = await s.flowSeries({ bucketSeconds: 60 });
  assert.deepEqual(series.map((b) => [b.bucket, b.bytes, b.flows]), [['2026-11-01T10:00:00.000Z', 1500, 2], ['2026-11-01T10:01:00.000Z', 300, 1]]);
  assert.deepEqual((await s.flowTop({ by: 'src', limit: 5 })).map((r) => [r.key, r.bytes]), [['10.0.0.5', 1500], ['10.0.0.6', 300]]);
  assert.deepEqual((await s.flowTop({ by: 'port', limit: 1 }))[0].key, '22/tcp');
  assert.deepEqual((await s.flowTop({ by: 'pair', limit: 5, port: 443 })).map((r) => r.key), ['10.0.0.6 > 198.51.100.1']);
  const a = (id: string, t: string): Alert => ({ id, time: t, detector: 'flows', rule: { id: 'x', title: 'x', level: 'high', tags: [] }, severity: 'high', attack: [] });
  assert.deepEqual((await s.insertNewAlerts([a('1', '2026-11-01T10:00:00Z'), a('2', '2026-11-01T11:30:00Z'), a('1', '2026-11-01T10:00:00Z')])).map((x) => x.id), ['1', '2']);
  assert.deepEqual((await s.insertNewAlerts([a('2', '2026-11-01T11:30:00Z'), a('3', '2026-11-01T11:40:00Z')])).map((x) => x.id), ['3']);
  const buckets = await s.alertBuckets({ bucketSeconds: 3600 });
  assert.deepEqual(buckets, [{ bucket: '2026-11-01T10:00:00.000Z', detector: 'flows', count: 1 }, { bucket: '2026-11-01T11:00:00.000Z', detector: 'flows', count: 2 }]);
  const counts = await s.incidentCounts(['new']);
  assert.equal(counts.critical, 0);
  await s.close();
});
