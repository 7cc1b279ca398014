/**
 * The Store contract: one suite, run against every backend (DuckDB embedded, ClickHouse scale-out), so both
 * answer the same questions the same way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/store.js';
import type { Alert } from '../../src/model/alert.js';
import type { Incident } from '../../src/model/incident.js';
import type { FlowRecord } from '../../src/model/flow.js';
import type { IntelObject } from '../../src/model/indicator.js';

function intelObject(id: string, modified: string, extra: Partial<IntelObject> = {}): IntelObject {
  const doc = { type: 'indicator', spec_version: '2.1', id, created: '2026-01-01T00:00:00.000Z', modified, pattern: "[ipv4-addr:value = '192.0.2.1']", pattern_type: 'stix', valid_from: '2026-01-01T00:00:00.000Z' };
  return { id, type: 'indicator', modified, source: 'contract', revoked: false, valid_from: '2026-01-01T00:00:00.000Z', doc, pattern: doc.pattern, attack: ['T1071'], actors: ['X'], ...extra };
}

export function alertFixture(id: string, time: string, severity: Alert['severity'], device = 'edge1'): Alert {
  return { id, time, detector: 'sigma', rule: { id: 'r1', title: 'T', level: severity, tags: [] }, severity, attack: ['T1078'], device };
}

function incident(id: string, severity: Incident['severity'], state: Incident['state'], devices: string[]): Incident {
  return {
    id, title: `incident ${id}`, severity, state, first_seen: '2026-01-01T00:00:00.000Z', last_seen: '2026-01-02T00:00:00.000Z',
    alert_ids: [], techniques: [], timeline: [], devices, accounts: [], ips: [], remediation: [], history: [], notes: [],
  };
}

export function storeContract(name: string, open: () => Promise<Store>, reopen?: () => Promise<Store>): void {
  test(`${name}: alerts are stored once per id, filtered, ordered and paged`, async () => {
    const s = await open();
    try {
      assert.equal(await s.insertAlerts([alertFixture('a', '2026-01-01T00:00:00.000Z', 'low'), alertFixture('b', '2026-01-02T00:00:00.000Z', 'high', 'core1')]), 2);
      assert.equal(await s.insertAlerts([alertFixture('a', '2026-01-01T00:00:00.000Z', 'low'), alertFixture('c', '2026-01-03T00:00:00.000Z', 'critical')]), 1);
      assert.equal(await s.countRows('alerts'), 3);
      const high = await s.listAlerts({ minSeverity: 'high' });
      assert.equal(high.total, 2);
      assert.deepEqual(high.items.map((a) => a.id), ['c', 'b']);
      assert.deepEqual((await s.listAlerts({ order: 'asc', limit: 1, offset: 1 })).items.map((a) => a.id), ['b']);
      assert.deepEqual((await s.listAlerts({ device: 'core1' })).items.map((a) => a.id), ['b']);
      assert.deepEqual((await s.listAlerts({ since: '2026-01-02T00:00:00.000Z', until: '2026-01-03T00:00:00.000Z' })).items.map((a) => a.id), ['b']);
      assert.deepEqual((await s.getAlerts(['c', 'a', 'zz'])).map((a) => a.id), ['a', 'c']);
      await assert.rejects(() => s.countRows('alerts; DROP TABLE alerts'));
    } finally { await s.close(); }
  });

  test(`${name}: incidents replace by id and filter by state, severity and device`, async () => {
    const s = await open();
    try {
      await s.putIncident(incident('i1', 'medium', 'new', ['edge1']));
      await s.putIncident(incident('i2', 'critical', 'new', ['edge1', 'core1']));
      await s.putIncident({ ...incident('i1', 'high', 'investigating', ['edge1']), assignee: 'ana' });
      assert.equal(await s.countRows('incidents'), 2);
      assert.equal((await s.getIncident('i1'))?.assignee, 'ana');
      assert.equal(await s.getIncident('nope'), undefined);
      assert.deepEqual((await s.listIncidents({})).items.map((i) => i.id), ['i2', 'i1']);
      assert.deepEqual((await s.listIncidents({ state: 'investigating' })).items.map((i) => i.id), ['i1']);
      assert.deepEqual((await s.listIncidents({ device: 'core1' })).items.map((i) => i.id), ['i2']);
      assert.equal((await s.listIncidents({ minSeverity: 'critical' })).total, 1);
    } finally { await s.close(); }
  });

  test(`${name}: intel objects keep the newest version; TAXII collections page by date added`, async () => {
    const s = await open();
    try {
      const a = 'indicator--00000000-0000-4000-8000-00000000000a', b = 'indicator--00000000-0000-4000-8000-00000000000b';
      assert.deepEqual(await s.putIntelObjects([intelObject(a, '2026-01-01T00:00:00.000Z'), intelObject(b, '2026-01-01T00:00:00.000Z', { valid_until: '2026-02-01T00:00:00.000Z' })]), ['added', 'added']);
      assert.deepEqual(await s.putIntelObjects([intelObject(a, '2026-01-01T00:00:00.000Z')]), ['skipped']);
      assert.deepEqual(await s.putIntelObjects([intelObject(a, '2025-12-01T00:00:00.000Z', { name: 'older' })]), ['skipped']);
      assert.deepEqual(await s.putIntelObjects([intelObject(a, '2026-01-01T00:00:00.000001Z', { revoked: true })]), ['updated']);
      const all = await s.listIndicators();
      assert.equal(all.length, 2);
      assert.equal(all.find((r) => r.id === a)!.revoked, true);
      assert.deepEqual(all.find((r) => r.id === b)!.attack, ['T1071']);
      assert.deepEqual((await s.listIndicators({ liveAt: '2026-01-15T00:00:00Z' })).map((r) => r.id), [b]);
      assert.deepEqual((await s.listIndicators({ liveAt: '2026-03-01T00:00:00Z' })).map((r) => r.id), []);
      const listed = await s.listIntelObjects({ q: '00000000000B' });
      assert.equal(listed.total, 1);
      assert.equal(listed.items[0].doc.id, b);

      const objs = [0, 1, 2, 3, 4].map((i) => ({ type: 'indicator', id: `indicator--00000000-0000-4000-8000-00000000010${i}`, modified: '2026-01-01T00:00:00.000Z', spec_version: '2.1' }));
      const put = await s.putTaxiiObjects('c1', objs);
      assert.equal(put.added, 5);
      assert.equal((await s.putTaxiiObjects('c1', [objs[0]])).skipped, 1);
      await s.putTaxiiObjects('c1', [{ ...objs[0], modified: '2026-02-01T00:00:00.000Z' }]);
      const p1 = await s.listTaxiiObjects('c1', { limit: 2 });
      assert.equal(p1.items.length, 2);
      assert.ok(p1.next);
      const p2 = await s.listTaxiiObjects('c1', { limit: 2, after: p1.next });
      const p3 = await s.listTaxiiObjects('c1', { limit: 2, after: p2.next });
      assert.equal(p3.next, undefined);
      const seen = [...p1.items, ...p2.items, ...p3.items];
      assert.equal(seen.length, 5, 'one version per object by default (the last)');
      assert.equal(seen.find((x) => x.id === objs[0].id)!.version, '2026-02-01T00:00:00.000Z');
      assert.ok(seen.every((x, i) => i === 0 || x.date_added > seen[i - 1].date_added), 'strictly increasing date_added');
      assert.equal((await s.listTaxiiObjects('c1', { versions: 'all' })).items.length, 6);
      assert.equal((await s.listTaxiiObjects('c1', { versions: 'first', ids: [objs[0].id] })).items[0].version, '2026-01-01T00:00:00.000Z');
      assert.equal((await s.listTaxiiObjects('c1', { addedAfter: p1.items[1].date_added })).items.length, 3);
      assert.equal((await s.listTaxiiObjects('c2', {})).items.length, 0);
      assert.equal(await s.deleteTaxiiObject('c1', objs[4].id), 1);
    } finally { await s.close(); }
  });

  test(`${name}: documents put, replace, list and delete`, async () => {
    const s = await open();
    try {
      await s.putDoc('token', 'h1', { role: 'viewer' });
      await s.putDoc('token', 'h1', { role: 'admin' });
      await s.putDoc('token', 'h2', { role: 'analyst' });
      assert.deepEqual(await s.getDoc('token', 'h1'), { role: 'admin' });
      assert.deepEqual((await s.listDocs('token')).map((d) => d.key), ['h1', 'h2']);
      await s.deleteDoc('token', 'h1');
      assert.equal(await s.getDoc('token', 'h1'), undefined);
      assert.deepEqual((await s.listDocs('token')).map((d) => d.key), ['h2']);
    } finally { await s.close(); }
  });

  test(`${name}: events and flows are stored and counted`, async () => {
    const s = await open();
    try {
      await s.insertEvents([
        { time: '2026-01-01T00:00:00.000Z', host: 'edge1', source: { file: 'syslog-tcp', line: 1 }, event: { message: 'x' } },
        { time: '2026-01-01T00:00:01.000Z', source: { file: 'syslog-tcp', line: 2 }, raw: '<garbage', error: 'no header' },
      ]);
      const f: FlowRecord = {
        exporter: '10.0.0.1', time_start: '2026-01-01T00:00:00.000Z', time_end: '2026-01-01T00:00:05.000Z', src_ip: '10.0.0.2',
        dst_ip: '203.0.113.9', src_port: 1234, dst_port: 22, protocol: 6, bytes: 1500, packets: 3, input_if: 1, output_if: 2, tcp_flags: 0x18, version: 9,
      };
      await s.insertFlows([f, { ...f, src_port: 1235 }]);
      assert.equal(await s.countRows('events'), 2);
      assert.equal(await s.countRows('flows'), 2);
    } finally { await s.close(); }
  });

  test(`${name}: flow series and top talkers, alert buckets, new-alert detection and incident counts`, async () => {
    const s = await open();
    try {
      const flow = (src: string, dst: string, dport: number, bytes: number, t: string): FlowRecord => ({
        exporter: '10.0.0.1', time_start: t, time_end: t, src_ip: src, dst_ip: dst, src_port: 40000, dst_port: dport, protocol: 6, bytes, packets: 1, input_if: 1, output_if: 2, tcp_flags: 0, version: 9,
      });
      await s.insertFlows([
        flow('10.0.0.5', '203.0.113.9', 22, 1000, '2026-11-01T10:00:10Z'),
        flow('10.0.0.5', '203.0.113.9', 22, 500, '2026-11-01T10:00:50Z'),
        flow('10.0.0.6', '198.51.100.1', 443, 300, '2026-11-01T10:01:10Z'),
      ]);
      const series = await s.flowSeries({ bucketSeconds: 60 });
      assert.deepEqual(series.map((b) => [b.bucket, b.bytes, b.flows]), [['2026-11-01T10:00:00.000Z', 1500, 2], ['2026-11-01T10:01:00.000Z', 300, 1]]);
      assert.deepEqual((await s.flowSeries({ bucketSeconds: 30, src: '10.0.0.5' })).map((b) => [b.bucket, b.bytes]), [['2026-11-01T10:00:00.000Z', 1000], ['2026-11-01T10:00:30.000Z', 500]]);
      assert.deepEqual((await s.flowTop({ by: 'src', limit: 5 })).map((r) => [r.key, r.bytes]), [['10.0.0.5', 1500], ['10.0.0.6', 300]]);
      assert.deepEqual((await s.flowTop({ by: 'port', limit: 1 }))[0].key, '22/tcp');
      assert.deepEqual((await s.flowTop({ by: 'pair', limit: 5, port: 443 })).map((r) => r.key), ['10.0.0.6 > 198.51.100.1']);
      const a = (id: string, t: string): Alert => ({ id, time: t, detector: 'flows', rule: { id: 'x', title: 'x', level: 'high', tags: [] }, severity: 'high', attack: [] });
      assert.deepEqual((await s.insertNewAlerts([a('1', '2026-11-01T10:00:00Z'), a('2', '2026-11-01T11:30:00Z'), a('1', '2026-11-01T10:00:00Z')])).map((x) => x.id), ['1', '2']);
      assert.deepEqual((await s.insertNewAlerts([a('2', '2026-11-01T11:30:00Z'), a('3', '2026-11-01T11:40:00Z')])).map((x) => x.id), ['3']);
      assert.deepEqual(await s.alertBuckets({ bucketSeconds: 3600 }), [{ bucket: '2026-11-01T10:00:00.000Z', detector: 'flows', count: 1 }, { bucket: '2026-11-01T11:00:00.000Z', detector: 'flows', count: 2 }]);
      assert.deepEqual(await s.alertBuckets({ bucketSeconds: 600, since: '2026-11-01T11:00:00Z' }), [{ bucket: '2026-11-01T11:30:00.000Z', detector: 'flows', count: 1 }, { bucket: '2026-11-01T11:40:00.000Z', detector: 'flows', count: 1 }]);
      await s.putIncident(incident('n1', 'critical', 'new', ['x']));
      await s.putIncident(incident('n2', 'critical', 'closed', ['x']));
      await s.putIncident(incident('n3', 'low', 'investigating', ['x']));
      assert.deepEqual(await s.incidentCounts(['new', 'investigating']), { info: 0, low: 1, medium: 0, high: 0, critical: 1 });
      assert.equal((await s.incidentCounts()).critical, 2);
      assert.deepEqual((await s.listIncidents({ state: ['new', 'closed'] })).items.map((i) => i.id).sort(), ['n1', 'n2']);
    } finally { await s.close(); }
  });

  test(`${name}: a committed batch stores events, flows and its checkpoint; alerts filter by address`, async () => {
    const s = await open();
    try {
      await s.commitBatch({
        events: [{ time: '2026-01-01T00:00:00.000Z', source: { file: 'syslog-tcp/10.0.0.1:5000', listener: 'syslog-tcp' }, raw: '<13>x' }],
        flows: [],
        checkpoint: { kind: 'wal', key: 'checkpoint', doc: { pos: { seg: 1, off: 42 }, accepted: { 'syslog-tcp': 1 } } },
      });
      assert.equal(await s.countRows('events'), 1);
      assert.deepEqual(await s.getDoc('wal', 'checkpoint'), { pos: { seg: 1, off: 42 }, accepted: { 'syslog-tcp': 1 } });
      await s.insertAlerts([{ ...alertFixture('ip1', '2026-01-01T00:00:00.000Z', 'high'), entities: { ips: ['203.0.113.9'] } }, alertFixture('ip2', '2026-01-01T00:00:00.000Z', 'high')]);
      assert.deepEqual((await s.listAlerts({ ip: '203.0.113.9' })).items.map((a) => a.id), ['ip1']);
    } finally { await s.close(); }
  });

  if (reopen) {
    test(`${name}: data survives reopening`, async () => {
      let s = await open();
      await s.insertAlerts([alertFixture('persist', '2026-02-01T00:00:00.000Z', 'medium')]);
      await s.close();
      s = await reopen();
      try {
        assert.equal((await s.getAlerts(['persist'])).length, 1);
      } finally { await s.close(); }
    });
  }
}
