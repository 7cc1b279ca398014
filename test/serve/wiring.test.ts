import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, utimesSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSite, siteFromObject } from '../../src/site/load.js';
import { Service } from '../../src/serve/service.js';
import { TokenStore } from '../../src/serve/tokens.js';
import { ConfigWatcher } from '../../src/serve/configs.js';
import { FlowDecoder } from '../../src/pipeline/flows.js';
import { readCapture } from '../../src/sources/pcap.js';
import type { DeviceDoc } from '../../src/serve/context.js';
import { corpusPath, REPO_ROOT } from '../corpus.js';
import { until } from './helpers.js';

const OFF = ['syslog-udp=off', 'syslog-tcp=off', 'syslog-tls=off', 'netflow=off', 'http=off'];

test('syslog is parsed, unparsable lines are kept and counted, and an imported indicator raises an alert and an incident', async () => {
  const data = mkdtempSync(join(tmpdir(), 'tw-wire-'));
  const token = TokenStore.forData(data).create('analyst', 'ann').token;
  const svc = await Service.start({ site: siteFromObject({}), data, log: () => undefined, listen: [...OFF, 'syslog-tcp=127.0.0.1:0', 'http=127.0.0.1:0'] });
  try {
    const base = `http://127.0.0.1:${svc.bound.http!.port}/api/v1`;
    const headers = { authorization: `Bearer ${token}` };
    const imp = await fetch(`${base}/indicators/import`, { method: 'POST', headers: { ...headers, 'content-type': 'text/plain' }, body: '203.0.113.66\n' });
    assert.equal(imp.status, 200);
    assert.equal(((await imp.json()) as { added: number }).added, 1);
    const lines = readFileSync(corpusPath('syslog', 'ios__elastic-integrations__test-cisco-ios.log'), 'utf8').split('\n').filter(Boolean);
    // an event after the import (indicators are valid from the time they are imported)
    const attack = `<189>1 ${new Date(Date.now() + 1000).toISOString()} edge7 sshd 4242 - - Accepted password for mallory from 203.0.113.66 port 50022 ssh2`;
    const payload = [...lines, '\u0000\u0001 binary garbage', attack].join('\n') + '\n';
    await new Promise<void>((resolve, reject) => {
      const s = connect(svc.bound['syslog-tcp']!.port, '127.0.0.1', () => s.end(payload));
      s.on('close', () => resolve()); s.on('error', reject);
    });
    const total = lines.length + 2;
    await until(async () => { await svc.settled(); return (await svc.store.countRows('events')) === total; }, 20_000, 'events');
    const parsed = (await svc.store.listDocs('none')).length; // store reachable
    assert.equal(parsed, 0);
    const text = await svc.metrics.registry.metrics();
    const errors = Number(/tidewatch_parse_errors_total\{source="syslog-tcp"\} (\d+)/.exec(text)?.[1] ?? 0);
    assert.ok(errors >= 1, 'the garbage line counts as a parse error');
    const alerts = await (await fetch(`${base}/alerts?detector=intel`, { headers })).json() as { total: number; items: { device: string; entities: { ips: string[] } }[] };
    assert.equal(alerts.total, 1);
    assert.equal(alerts.items[0].device, 'edge7');
    assert.ok(alerts.items[0].entities.ips.includes('203.0.113.66'));
    const inds = await (await fetch(`${base}/indicators?type=ipv4-addr`, { headers })).json() as { items: { value: string; matches: number }[] };
    assert.deepEqual(inds.items.map((i) => [i.value, i.matches]), [['203.0.113.66', 1]]);
    const incs = await (await fetch(`${base}/incidents?device=edge7`, { headers })).json() as { total: number };
    assert.equal(incs.total, 1);
  } finally {
    await svc.stop();
  }
});

test('NetFlow/IPFIX datagrams from the corpus are decoded into the flows table, as many as the decoder makes offline', async () => {
  const files = ['akvorado__template.pcap', 'akvorado__data.pcap'].map((f) => corpusPath('flows', f));
  const datagrams = files.flatMap((f) => [...readCapture(f)].map((d) => d.payload));
  const offline = new FlowDecoder();
  const want = datagrams.reduce((n, p) => n + offline.feed(p, '127.0.0.1', Date.now()).length, 0);
  assert.ok(want > 0);
  const data = mkdtempSync(join(tmpdir(), 'tw-wire-'));
  const svc = await Service.start({ site: siteFromObject({}), data, log: () => undefined, listen: [...OFF, 'netflow=127.0.0.1:0'] });
  try {
    const sock = createSocket('udp4');
    for (const p of datagrams) await new Promise<void>((r) => sock.send(p, svc.bound.netflow!.port, '127.0.0.1', () => r()));
    sock.close();
    await until(async () => { await svc.settled(); return (await svc.store.countRows('flows')) === want; }, 20_000, `${want} flows`);
    const top = await svc.store.flowTop({ by: 'src', limit: 1 });
    assert.ok(top[0].bytes > 0);
  } finally {
    await svc.stop();
  }
});

test('the watched config folder: devices audited, a later version with an actor tunnel and account raises drift alerts and history', async () => {
  const data = mkdtempSync(join(tmpdir(), 'tw-wire-'));
  const dir = join(data, 'configs');
  mkdirSync(dir);
  for (const f of ['edge1.cfg', 'core1.cfg', 'pe2.set']) copyFileSync(join(REPO_ROOT, 'examples', 'configs', f), join(dir, f));
  const site = loadSite(join(REPO_ROOT, 'examples', 'tidewatch.yml'));
  const svc = await Service.start({ site, data, log: () => undefined, listen: OFF });
  const lines: string[] = [];
  const w = new ConfigWatcher({ dir, site, store: svc.store, incidents: svc.incidents, metrics: svc.metrics, intel: svc.wiring.intel, log: (l) => lines.push(l) });
  try {
    assert.equal((await w.scan()).length, 3);
    assert.equal(w.audited, 3, lines.join('\n'));
    const edge = await svc.store.getDoc<DeviceDoc>('device', 'edge1');
    assert.ok(edge && edge.findings.length > 0);
    assert.equal(edge.history.length, 0);
    const before = await svc.store.countRows('alerts');
    // the actor adds a second tunnel to an outside address and a local account
    appendFileSync(join(dir, 'edge1.cfg'), '\ninterface Tunnel99\n ip address 172.31.9.1 255.255.255.252\n tunnel source Loopback0\n tunnel destination 203.0.113.200\n!\nusername backd00r privilege 15 secret 0 hunter2\n!\n');
    utimesSync(join(dir, 'edge1.cfg'), new Date(), new Date(Date.now() + 5000));
    assert.equal((await w.scan()).length, 1);
    const after = await svc.store.getDoc<DeviceDoc>('device', 'edge1');
    assert.equal(after!.history.length, 1);
    assert.ok(after!.history[0].changes.some((c) => c.added.some((a) => a.includes('203.0.113.200'))));
    const drift = await svc.store.listAlerts({ device: 'edge1', limit: 1000 });
    const driftRules = drift.items.filter((a) => a.rule.id.startsWith('DRIFT-'));
    assert.ok(driftRules.length >= 1, 'drift alerts raised');
    assert.ok((await svc.store.countRows('alerts')) > before);
    // the secret never reaches the store
    const snap = JSON.stringify(await svc.store.getDoc('config_snapshot', 'edge1')) + JSON.stringify(after);
    assert.ok(!snap.includes('hunter2'));
    // unchanged files are not audited again
    assert.equal((await w.scan()).length, 0);
  } finally {
    w.stop();
    await svc.stop();
  }
});
