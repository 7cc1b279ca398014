import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { siteFromObject } from '../../src/site/load.js';
import { Service } from '../../src/serve/service.js';
import { corpusPath } from '../corpus.js';
import { makeCerts, metric, read, until } from './helpers.js';

const OFF = ['syslog-udp=off', 'syslog-tcp=off', 'syslog-tls=off', 'netflow=off', 'http=off'];

function corpusLines(name: string): string[] {
  return readFileSync(corpusPath('syslog', name), 'utf8').split('\n').map((l) => l.replace(/\r$/, '')).filter(Boolean);
}

async function sendTcp(port: number, payload: Buffer | string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.end(payload));
    s.on('close', () => resolve());
    s.on('error', reject);
  });
}

test('syslog over TCP (both framings), UDP and TLS with client certificates lands in the store, counted per source', async () => {
  const data = mkdtempSync(join(tmpdir(), 'tw-svc-'));
  const certs = makeCerts(data);
  const site = siteFromObject({ serve: { tls: { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, client_cert: 'required' } } });
  const logged: string[] = [];
  const svc = await Service.start({
    site, data, log: (l) => logged.push(l),
    listen: [...OFF, 'syslog-tcp=127.0.0.1:0', 'syslog-udp=127.0.0.1:0', 'syslog-tls=127.0.0.1:0', 'http=127.0.0.1:0'],
  });
  try {
    // the UDP listener says how its socket is read: recvmmsg where the native part is built (Linux, npm ci)
    const how = logged.find((l) => l.startsWith('tidewatch: syslog-udp socket read by'));
    assert.ok(how, logged.join('\n'));
    if (process.platform === 'linux' && process.env.TIDEWATCH_UDP_NATIVE !== '0') assert.match(how, /recvmmsg \(native\)/);
    const ios = corpusLines('ios__elastic-integrations__test-cisco-ios.log');
    const nxos = corpusLines('nxos__elastic-integrations__test-nexus.log');
    const junos = corpusLines('junos__elastic-integrations__test-system.log');
    await sendTcp(svc.bound['syslog-tcp']!.port, ios.join('\n') + '\n');
    // octet counting, one message with an embedded line break
    const octet = [...nxos, '<13>1 2026-11-14T08:30:56Z r9 app - - - two\nlines'];
    await sendTcp(svc.bound['syslog-tcp']!.port, Buffer.concat(octet.map((m) => Buffer.from(`${Buffer.byteLength(m)} ${m}`))));
    // UDP: one datagram per message
    const udp = createSocket('udp4');
    for (const l of junos) await new Promise<void>((r) => udp.send(l, svc.bound['syslog-udp']!.port, '127.0.0.1', () => r()));
    udp.close();
    // TLS with a trusted client certificate
    const tlsPort = svc.bound['syslog-tls']!.port;
    await new Promise<void>((resolve, reject) => {
      const s = tlsConnect({ host: '127.0.0.1', port: tlsPort, ca: read(certs.ca), cert: read(certs.clientCert), key: read(certs.clientKey) }, () => {
        s.end(Buffer.concat(ios.slice(0, 5).map((m) => Buffer.from(`${Buffer.byteLength(m)} ${m}`))));
      });
      s.on('close', () => resolve());
      s.on('error', reject);
    });
    // TLS with an untrusted certificate is refused, nothing stored from it
    await new Promise<void>((resolve) => {
      const s = tlsConnect({ host: '127.0.0.1', port: tlsPort, ca: read(certs.ca), cert: read(certs.otherCert), key: read(certs.otherKey) }, () => s.write('<13>should not land\n'));
      s.on('error', () => resolve());
      s.on('close', () => resolve());
    });
    const expected = ios.length + octet.length + junos.length + 5;
    await until(async () => (await svc.store.countRows('events')) >= expected - junos.length + 1 && svc.pipeline.depth === 0, 20_000, 'events stored');
    await until(async () => { await svc.settled(); return (await svc.store.countRows('events')) === expected; }, 10_000, `${expected} events`);
    const text = await svc.metrics.registry.metrics();
    assert.equal(metric(text, 'tidewatch_events_accepted_total', { source: 'syslog-tcp' }), ios.length + octet.length);
    assert.equal(metric(text, 'tidewatch_events_accepted_total', { source: 'syslog-udp' }), junos.length);
    assert.equal(metric(text, 'tidewatch_events_accepted_total', { source: 'syslog-tls' }), 5);
    assert.equal(metric(text, 'tidewatch_store_rows', { table: 'events' }), expected);
    // with serve.tls set, the API is served over HTTPS with the same certificate
    const health = await new Promise<string>((resolve, reject) => {
      httpsGet({ host: '127.0.0.1', port: svc.bound.http!.port, path: '/health', ca: read(certs.ca) }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => { body += d.toString(); });
        res.on('end', () => resolve(body));
      }).on('error', reject);
    });
    assert.deepEqual(JSON.parse(health), { status: 'ok' });
  } finally {
    await svc.stop();
  }
  // a clean restart replays nothing and the counters continue
  const again = await Service.start({ site: siteFromObject({}), data, log: () => undefined, listen: OFF });
  try {
    assert.equal(again.replayed, 0);
    const text = await again.metrics.registry.metrics();
    assert.equal(metric(text, 'tidewatch_events_accepted_total', { source: 'syslog-udp' }), corpusLines('junos__elastic-integrations__test-system.log').length);
  } finally {
    await again.stop();
  }
});

test('backpressure: with a tiny queue TCP readers pause and resume, and every message is still stored', async () => {
  const data = mkdtempSync(join(tmpdir(), 'tw-svc-'));
  const svc = await Service.start({ site: siteFromObject({}), data, log: () => undefined, highWater: 200, listen: [...OFF, 'syslog-tcp=127.0.0.1:0'] });
  let pauses = 0;
  const orig = svc.pipeline.push.bind(svc.pipeline);
  svc.pipeline.push = (blocks) => { orig(blocks); if (svc.pipeline.isPaused) pauses++; };
  try {
    const n = 20_000;
    const lines = Array.from({ length: n }, (_, i) => `<189>Nov 14 08:30:56 router${i % 7} %SYS-5-CONFIG_I: Configured from console by admin on vty0 (10.0.0.${i % 250}) seq ${i}`);
    await sendTcp(svc.bound['syslog-tcp']!.port, lines.join('\n') + '\n');
    await until(async () => { await svc.settled(); return (await svc.store.countRows('events')) === n; }, 30_000, `${n} events`);
    assert.ok(pauses > 0, 'the readers were paused at least once');
    assert.equal(svc.pipeline.isPaused, false);
    const text = await svc.metrics.registry.metrics();
    // the series exists from the start (at 0) and nothing was dropped
    for (const line of text.split('\n').filter((l) => l.startsWith('tidewatch_events_dropped_total{') && l.includes('source="syslog-tcp"'))) assert.match(line, / 0$/, line);
  } finally {
    await svc.stop();
  }
});
