// The detectors wired into the single process: Sigma over syslog received on a socket, access monitoring over
// tailed access-audit files (with rotation), and the warning when no Sigma rule is present.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { siteFromObject } from '../../src/site/load.js';
import { Service } from '../../src/serve/service.js';
import { TokenStore } from '../../src/serve/tokens.js';
import { sigmaStage } from '../../src/serve/roles/stages.js';
import { AccessLineParser, loadAccessMapping } from '../../src/parsers/access.js';
import { AccessMonitor, loadWarrants } from '../../src/pipeline/access.js';
import type { Alert } from '../../src/model/alert.js';
import { corpusPath, REPO_ROOT } from '../corpus.js';
import { metric, until } from './helpers.js';

const OFF = ['syslog-udp=off', 'syslog-tcp=off', 'syslog-tls=off', 'netflow=off', 'http=off'];

const RULE_LOGIN = `title: SSH password login to a device
id: 0b3c6f0e-8a52-4c8e-9a51-6a0c1f4d2a11
status: experimental
description: An interactive SSH login with a password (actors reuse stolen credentials).
logsource: {product: linux, service: sshd}
detection:
  sel: {kind: login, outcome: success, auth_method: password}
  condition: sel
level: high
tags: [attack.initial-access, attack.t1078]
`;
const RULE_USERADD = `title: Local account created through sudo
id: 7d4a0a7e-2f1b-4a3d-8a50-2c1e9e7f3b22
status: experimental
logsource: {product: linux, service: sudo}
detection:
  sel: {cmd|contains: useradd}
  condition: sel
level: high
tags: [attack.persistence, attack.t1136.001]
`;

function sendTcp(port: number, payload: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.end(payload));
    s.on('close', () => resolve());
    s.on('error', reject);
  });
}

test('syslog over TCP runs through the Sigma rules from hunt.rules: alerts and one incident with both techniques in kill-chain order come out of the API', async () => {
  const data = mkdtempSync(join(tmpdir(), 'tw-det-'));
  const rules = join(data, 'rules');
  mkdirSync(rules);
  writeFileSync(join(rules, 'login.yml'), RULE_LOGIN);
  writeFileSync(join(rules, 'useradd.yml'), RULE_USERADD);
  const token = TokenStore.forData(data).create('viewer', 'v').token;
  const logs: string[] = [];
  const svc = await Service.start({
    site: siteFromObject({ hunt: { rules: [rules] } }), data, log: (l) => logs.push(l), shippedRules: join(data, 'none'),
    listen: [...OFF, 'syslog-tcp=127.0.0.1:0', 'http=127.0.0.1:0'],
  });
  try {
    assert.ok(logs.some((l) => /Sigma: 2 rules/.test(l)), logs.join('\n'));
    const base = `http://127.0.0.1:${svc.bound.http!.port}`;
    const headers = { authorization: `Bearer ${token}` };
    // ordinary device syslog from the corpus (no rule fires on it) around the two actor lines
    const benign = readFileSync(corpusPath('syslog', 'ios__elastic-integrations__test-cisco-ios.log'), 'utf8').split('\n').filter(Boolean);
    const t = Date.now();
    const actor = [
      `<38>1 ${new Date(t - 60_000).toISOString()} edge7 sshd 4242 - - Accepted password for mallory from 203.0.113.66 port 50022 ssh2`,
      `<86>1 ${new Date(t - 30_000).toISOString()} edge7 sudo - - - mallory : TTY=pts/0 ; PWD=/home/mallory ; USER=root ; COMMAND=/usr/sbin/useradd -m backdoor`,
    ];
    // octet-counted framing (RFC 6587) for a change from the LF framing of the other tests
    const payload = [...benign.slice(0, 20), actor[0], ...benign.slice(20), actor[1]].map((l) => `${Buffer.byteLength(l)} ${l}`).join('');
    await sendTcp(svc.bound['syslog-tcp']!.port, payload);
    const total = benign.length + 2;
    await until(async () => { await svc.settled(); return (await svc.store.countRows('events')) === total; }, 20_000, `${total} events`);

    const alerts = await (await fetch(`${base}/api/v1/alerts?detector=sigma`, { headers })).json() as { total: number; items: Alert[] };
    assert.equal(alerts.total, 2, JSON.stringify(alerts.items.map((a) => a.rule.title)));
    const titles = alerts.items.map((a) => a.rule.title).sort();
    assert.deepEqual(titles, ['Local account created through sudo', 'SSH password login to a device']);
    for (const a of alerts.items) {
      assert.equal(a.device, 'edge7');
      assert.ok(a.entities?.accounts?.includes('mallory'));
      assert.match(a.source!.file, /^syslog-tcp\//);
    }
    const incs = await (await fetch(`${base}/api/v1/incidents?device=edge7`, { headers })).json() as { total: number; items: { id: string; techniques: { technique: string; tactic: string }[]; alert_ids: string[] }[] };
    assert.equal(incs.total, 1, 'both alerts (same device, same account, minutes apart) make one incident');
    const inc = incs.items[0];
    assert.equal(inc.alert_ids.length, 2);
    const tactics = inc.techniques.map((x) => x.tactic);
    assert.ok(tactics.indexOf('initial-access') >= 0 && tactics.indexOf('initial-access') < tactics.indexOf('persistence'), JSON.stringify(inc.techniques));
    const m = await (await fetch(`${base}/metrics`, { headers })).text();
    assert.equal(metric(m, 'tidewatch_alerts_total', { detector: 'sigma' }), 2);
    assert.ok((metric(m, 'tidewatch_detector_latency_seconds_count', { detector: 'sigma' }) ?? 0) >= 1, 'the Sigma stage reports its latency');
    assert.equal(metric(m, 'tidewatch_incidents_open'), 1);
  } finally {
    await svc.stop();
  }
});

test('without any Sigma rule the service starts, warns once and stores events unhunted', () => {
  const logs: string[] = [];
  const s = sigmaStage(siteFromObject({}), (l) => logs.push(l), join(tmpdir(), 'tw-no-such-rules-dir'));
  assert.equal(s.detector, undefined);
  assert.equal(logs.length, 1);
  assert.match(logs[0], /warning: no Sigma rules/);
  // a hunt.rules path that does not exist is named
  const logs2: string[] = [];
  const s2 = sigmaStage(siteFromObject({ hunt: { rules: ['/nonexistent/rules'] } }), (l) => logs2.push(l), join(tmpdir(), 'tw-no-such-rules-dir'));
  assert.equal(s2.detector, undefined);
  assert.match(logs2[0], /hunt\.rules: \/nonexistent\/rules does not exist/);
});

test('a rule file with an error is reported with file and reason; the valid rules still load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-rules-'));
  writeFileSync(join(dir, 'good.yml'), RULE_LOGIN);
  writeFileSync(join(dir, 'bad.yml'), 'title: broken\nlogsource: {product: linux}\ndetection: {sel: {cmd|nosuchmodifier: x}, condition: sel}\n');
  const logs: string[] = [];
  const s = sigmaStage(siteFromObject({ hunt: { rules: [dir] } }), (l) => logs.push(l), join(tmpdir(), 'tw-no-such-rules-dir'));
  assert.ok(s.detector);
  assert.equal(s.info!.rules, 1);
  assert.equal(s.info!.errors, 1);
  assert.ok(logs.some((l) => l.includes('bad.yml') && /modifier/.test(l)), logs.join('\n'));
});

test('access-audit files are tailed through rotation into the access monitor; alerts equal an offline run over the same rows', async () => {
  const data = mkdtempSync(join(tmpdir(), 'tw-acc-'));
  const fixtures = join(REPO_ROOT, 'test', 'fixtures', 'access');
  const rows = readFileSync(join(fixtures, 'etsi-audit.jsonl'), 'utf8').split('\n').filter(Boolean);
  const file = join(data, 'audit.jsonl');
  const firstPart = rows.slice(0, 4);
  const secondPart = rows.slice(4);
  writeFileSync(file, firstPart.join('\n') + '\n');
  const siteRaw = {
    access: { jump_hosts: ['li-jump-01', 'cdr-jump-01', '10.20.0.0/24', '10.20.1.21'], operators: [{ name: 'amoreno', status: 'active', role: 'li-admin' }, { name: 'bokafor', status: 'active', role: 'cdr-analyst' }, { name: 'jdoe', status: 'active', role: 'cdr-analyst' }, { name: 'root', status: 'active', role: 'dba' }, { name: 'cleaver', status: 'disabled', role: 'li-analyst' }], bulk_export_bytes: 50_000_000 },
    serve: { access: { files: [file], mapping: 'etsi-audit-jsonl', warrants: join(fixtures, 'warrants.json'), poll: '100ms' } },
  };
  const site = siteFromObject(siteRaw);
  const svc = await Service.start({ site, data, log: () => undefined, listen: OFF, shippedRules: join(data, 'none') });
  try {
    const tail = svc.wiring.access!;
    assert.ok(tail);
    await tail.poll();
    await svc.settled();
    // rotation: the file is renamed away after one more line is written to it; the rest lands in a new file
    appendFileSync(file, secondPart[0] + '\n');
    renameSync(file, file + '.1');
    writeFileSync(file, secondPart.slice(1).join('\n') + '\n');
    await until(async () => { await tail.poll(); return tail.rotations === 1; }, 10_000, 'rotation');
    await tail.poll();
    await svc.incidents.idle();

    // the same rows offline, file by file as the tail saw them
    const mapping = loadAccessMapping('etsi-audit-jsonl');
    const monitor = new AccessMonitor({ warrants: await loadWarrants(join(fixtures, 'warrants.json')), site: site.access });
    const offline: Alert[] = [];
    let good = 0, bad = 0;
    for (const part of [[...firstPart, secondPart[0]], secondPart.slice(1)]) {
      const p = new AccessLineParser(mapping);
      part.forEach((text, i) => {
        const r = p.line(text, i + 1);
        if (!r) return;
        if ('error' in r) { bad++; return; }
        good++;
        offline.push(...monitor.process(r.event, { file, line: r.line }));
      });
    }
    offline.push(...monitor.advance(Date.now()));
    assert.ok(offline.length >= 3, 'the fixture holds several violations');
    const stored = await svc.store.listAlerts({ detector: 'access', limit: 1000 });
    assert.deepEqual(stored.items.map((a) => a.id).sort(), offline.map((a) => a.id).sort());
    assert.ok(stored.items.some((a) => a.source?.line !== undefined && a.source.line <= firstPart.length + 1), 'alerts name file lines before the rotation');
    const text = await svc.metrics.registry.metrics();
    assert.equal(metric(text, 'tidewatch_events_accepted_total', { source: 'access-audit' }), good);
    assert.equal(metric(text, 'tidewatch_parse_errors_total', { source: 'access-audit' }), bad);
    assert.ok((await svc.store.countRows('incidents')) >= 1);
  } finally {
    await svc.stop();
  }
  // a restart resumes at the stored position: nothing is read twice
  const svc2 = await Service.start({ site, data, log: () => undefined, listen: OFF, shippedRules: join(data, 'none') });
  try {
    await svc2.wiring.access!.poll();
    assert.equal(svc2.wiring.access!.events, 0);
  } finally {
    await svc2.stop();
  }
});

test('alerts raised in the service reach the delivery sinks of the site file: a signed webhook POST and an OCSF JSON Lines file', async () => {
  const { createServer } = await import('node:http');
  const { createHmac } = await import('node:crypto');
  const hits: { sig: string; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => { hits.push({ sig: String(req.headers['x-tidewatch-signature']), body: Buffer.concat(chunks).toString('utf8') }); res.end(); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const data = mkdtempSync(join(tmpdir(), 'tw-deliv-'));
  const rules = join(data, 'rules');
  mkdirSync(rules);
  writeFileSync(join(rules, 'login.yml'), RULE_LOGIN);
  const out = join(data, 'alerts.ocsf.jsonl');
  process.env.TW_TEST_HOOK_SECRET = 'hook-secret';
  const site = siteFromObject({
    hunt: { rules: [rules] },
    delivery: {
      webhooks: [{ name: 'soc', url: `http://127.0.0.1:${(server.address() as { port: number }).port}/in`, secret_env: 'TW_TEST_HOOK_SECRET' }],
      jsonl: [{ name: 'lake', path: out, payload: 'ocsf' }],
    },
  });
  const svc = await Service.start({ site, data, log: () => undefined, shippedRules: join(data, 'none'), listen: [...OFF, 'syslog-tcp=127.0.0.1:0'] });
  try {
    await sendTcp(svc.bound['syslog-tcp']!.port, `<38>1 ${new Date().toISOString()} edge9 sshd 77 - - Accepted password for eve from 198.51.100.7 port 40000 ssh2\n`);
    await until(async () => { await svc.settled(); await svc.delivery.idle(); return hits.length === 1; }, 20_000, 'webhook POST');
    const posted = JSON.parse(hits[0].body) as Alert;
    assert.equal(posted.device, 'edge9');
    assert.equal(hits[0].sig, `sha256=${createHmac('sha256', 'hook-secret').update(hits[0].body).digest('hex')}`);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 1);
    assert.equal(lines[0].class_uid, 2004);
    assert.equal(lines[0].finding_info.uid, posted.id);
    const text = await svc.metrics.registry.metrics();
    assert.equal(metric(text, 'tidewatch_alerts_delivered_total', { sink: 'soc' }), 1);
    assert.equal(metric(text, 'tidewatch_alerts_delivered_total', { sink: 'lake' }), 1);
  } finally {
    await svc.stop();
    server.closeAllConnections();
    server.close();
    delete process.env.TW_TEST_HOOK_SECRET;
  }
});

test('a bad delivery section stops the service at start with the entry named', async () => {
  const data = mkdtempSync(join(tmpdir(), 'tw-deliv-'));
  await assert.rejects(
    Service.start({ site: siteFromObject({ delivery: { webhooks: [{ url: 'not a url' }] } }), data, log: () => undefined, listen: OFF, shippedRules: join(data, 'none') }),
    /delivery\.webhooks\[0\]\.url: "not a url" is not a URL/,
  );
});

test('access tail: learn: true learns models from the rows already there and reads only what is appended; a copytruncate rotation is read from the start', async () => {
  const { loadModels } = await import('../../src/pipeline/access.js');
  const data = mkdtempSync(join(tmpdir(), 'tw-acc-'));
  // the fixture's first six rows map (the later ones are deliberate errors)
  const rows = readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'access', 'etsi-audit.jsonl'), 'utf8').split('\n').filter(Boolean).slice(0, 6);
  const file = join(data, 'audit.jsonl');
  writeFileSync(file, rows.slice(0, 4).join('\n') + '\n');
  const site = siteFromObject({ serve: { access: { files: [file], mapping: 'etsi-audit-jsonl', learn: true, poll: '1m' } } });
  const logs: string[] = [];
  const svc = await Service.start({ site, data, log: (l) => logs.push(l), listen: OFF, shippedRules: join(data, 'none') });
  try {
    const tail = svc.wiring.access!;
    const models = await loadModels(svc.store);
    assert.ok(models && Object.keys(models.operators).length > 0, logs.join('\n'));
    assert.ok(logs.some((l) => /learned models of \d+ operators from 4 rows/.test(l)), logs.join('\n'));
    assert.equal(tail.events, 0, 'the rows learned from are not checked again');
    appendFileSync(file, rows[4] + '\n');
    await tail.poll();
    assert.equal(tail.events, 1);
    // copytruncate: the file is emptied in place and written anew
    writeFileSync(file, rows.slice(4, 6).join('\n') + '\n');
    await tail.poll();
    assert.equal(tail.events, 3, 'both rows of the truncated file are read from its start');
    assert.equal(tail.rotations, 1);
  } finally {
    await svc.stop();
  }
});
