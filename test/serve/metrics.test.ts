// /metrics carries the names and labels that load and failure tests read (interfaces.md, "Service") and the ones
// the issue lists: events in and dropped per source and reason, queue depths, detector latencies, incidents open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { siteFromObject } from '../../src/site/load.js';
import { Service } from '../../src/serve/service.js';
import { TokenStore } from '../../src/serve/tokens.js';
import { metric, until } from './helpers.js';

test('/metrics: accepted, dropped (per source and reason), parse errors, store rows per table, queue depth, detector latency, incidents open', async () => {
  const data = mkdtempSync(join(tmpdir(), 'tw-metrics-'));
  const token = TokenStore.forData(data).create('viewer', 'v').token;
  const svc = await Service.start({
    site: siteFromObject({}), data, log: () => undefined, shippedRules: join(data, 'none'),
    listen: ['syslog-udp=127.0.0.1:0', 'syslog-tcp=127.0.0.1:0', 'syslog-tls=off', 'netflow=127.0.0.1:0', 'http=127.0.0.1:0'],
  });
  try {
    const sock = createSocket('udp4');
    const lines = ['<189>1 2026-11-23T04:05:06.000Z r1 sshd 1 - - Accepted publickey for ops from 10.0.0.1 port 1 ssh2', '', 'x'.repeat(10)];
    for (const l of lines) await new Promise<void>((r) => sock.send(l, svc.bound['syslog-udp']!.port, '127.0.0.1', () => r()));
    sock.close();
    await until(async () => { await svc.settled(); return (await svc.store.countRows('events')) === 2; }, 10_000, 'two events');
    const res = await fetch(`http://127.0.0.1:${svc.bound.http!.port}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    const text = await res.text();
    for (const source of ['syslog-udp', 'syslog-tcp', 'netflow']) assert.notEqual(metric(text, 'tidewatch_events_accepted_total', { source }), undefined, source);
    assert.equal(metric(text, 'tidewatch_events_accepted_total', { source: 'syslog-udp' }), 2);
    assert.equal(metric(text, 'tidewatch_events_dropped_total', { source: 'syslog-udp', reason: 'empty' }), 1);
    assert.equal(metric(text, 'tidewatch_events_dropped_total', { source: 'syslog-udp', reason: 'udp_overflow' }), 0);
    assert.equal(metric(text, 'tidewatch_events_dropped_total', { source: 'netflow', reason: 'udp_overflow' }), 0);
    assert.equal(metric(text, 'tidewatch_events_dropped_total', { source: 'syslog-tcp', reason: 'oversized' }), 0);
    assert.equal(metric(text, 'tidewatch_parse_errors_total', { source: 'syslog-udp' }), 1);
    for (const table of ['events', 'flows', 'alerts', 'incidents']) assert.notEqual(metric(text, 'tidewatch_store_rows', { table }), undefined, table);
    assert.equal(metric(text, 'tidewatch_store_rows', { table: 'events' }), 2);
    assert.equal(metric(text, 'tidewatch_queue_depth', { queue: 'pipeline' }), 0);
    assert.ok((metric(text, 'tidewatch_detector_latency_seconds_count', { detector: 'intel' }) ?? 0) >= 1);
    assert.equal(metric(text, 'tidewatch_incidents_open'), 0);
    // without a token: 401
    assert.equal((await fetch(`http://127.0.0.1:${svc.bound.http!.port}/metrics`)).status, 401);
  } finally {
    await svc.stop();
  }
});

test('a UDP listener whose port is taken fails the start with the listener named (its receive thread ends too)', async () => {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  try {
    await assert.rejects(
      Service.start({ site: siteFromObject({}), data: mkdtempSync(join(tmpdir(), 'tw-metrics-')), log: () => undefined, shippedRules: join(tmpdir(), 'none'), listen: [`syslog-udp=127.0.0.1:${s.address().port}`, 'syslog-tcp=off', 'syslog-tls=off', 'netflow=off', 'http=off'] }),
      /syslog-udp: bind EADDRINUSE/,
    );
  } finally {
    s.close();
  }
});
