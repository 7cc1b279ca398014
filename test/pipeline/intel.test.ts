import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.js';
import { importIntel, loadMatcher, matcherFromRecords } from '../../src/pipeline/intel.js';
import type { IndicatorRecord } from '../../src/model/indicator.js';
import { corpusPath, REPO_ROOT } from '../corpus.js';
import { advisoryBundle, IDS, MISP_EVENT } from '../fixtures/intel/stix.js';

const NOW = Date.parse('2026-11-20T00:00:00Z');

test('import is idempotent, newer versions replace older, revoked and expired indicators stop matching', async () => {
  const store = await DuckDbStore.open(':memory:');
  try {
    const first = await importIntel(store, JSON.stringify(advisoryBundle()), { source: 'aa25-239a.json' });
    assert.equal(first.added, 14);
    assert.equal(first.rejected.length, 3);
    const again = await importIntel(store, JSON.stringify(advisoryBundle()), { source: 'aa25-239a.json' });
    assert.deepEqual([again.added, again.updated, again.skipped], [0, 0, 14]);
    // a newer version of ind1 narrows the pattern and is revoked later
    const newer = advisoryBundle({ modified: '2025-09-03T00:00:00.000Z', pattern1: "[ipv4-addr:value = '45.125.67.144']" });
    const up = await importIntel(store, JSON.stringify(newer), { source: 'aa25-239a.json' });
    assert.deepEqual([up.added, up.updated], [0, 1]);
    const older = await importIntel(store, JSON.stringify(advisoryBundle({ modified: '2025-08-28T00:00:00.000Z' })), { source: 'aa25-239a.json' });
    assert.equal(older.updated, 0, 'an older version never replaces a newer one');
    let m = await loadMatcher(store, { now: () => NOW });
    assert.equal(m.matchValue('203.0.113.5').length, 0, 'the replaced pattern no longer matches');
    const hit = m.matchValue('45.125.67.144');
    assert.deepEqual(hit.map((h) => h.indicator.id), [IDS.ind1]);
    assert.deepEqual(hit[0].indicator.actors, ['DEMODEX', 'Salt Typhoon']);
    assert.equal(m.matchValue('192.0.2.66').length, 0, 'revoked from the start');
    assert.equal(m.matchValue('sub.materialplies.com').length, 1, 'domain suffix');
    assert.equal(m.matchValue('158.247.222.165').length, 1, 'derived from a bare observable');
    assert.equal(m.matchValue('198.51.100.10').length, 0, 'observed-data victims are not indicators');
    // revoke ind1 with a newer version
    const b = advisoryBundle({ modified: '2025-10-01T00:00:00.000Z' });
    (b.objects as Record<string, unknown>[]).find((o) => o.id === IDS.ind1)!.revoked = true;
    assert.equal((await importIntel(store, JSON.stringify(b), { source: 'aa25-239a.json' })).updated, 1);
    m = await loadMatcher(store, { now: () => NOW });
    assert.equal(m.matchValue('45.125.67.144').length, 0, 'revoked indicators stop matching');
    // expiry: a list valid for 1 day, loaded as if two days later
    await importIntel(store, '198.18.0.9\n', { source: 'short.txt', validDays: 1, now: '2026-11-20T00:00:00.000Z' });
    assert.equal((await loadMatcher(store, { now: () => NOW + 3600_000 })).matchValue('198.18.0.9').length, 1);
    assert.equal((await loadMatcher(store, { now: () => NOW + 2 * 86400_000 })).matchValue('198.18.0.9').length, 0, 'expired');
  } finally { await store.close(); }
});

function rec(id: string, pattern: string, extra: Partial<IndicatorRecord> = {}): IndicatorRecord {
  return { id, pattern, source: 'test', revoked: false, modified: '2026-01-01T00:00:00Z', attack: [], actors: [], ...extra };
}

test('matchEvent finds indicator addresses in real device logs, line for line', () => {
  const file = corpusPath('syslog', 'asa__elastic-integrations__test-sample.log');
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());
  const m = matcherFromRecords([rec('indicator--00000000-0000-4000-8000-000000000001', `[ipv4-addr:value ISSUBSET '67.43.156.0/24']`, { confidence: 90, attack: ['T1071'], actors: ['Test Actor'] })], { now: () => NOW });
  let alerts = 0;
  // independent count: lines holding an address of 67.43.156.0/24 (one alert per indicator per event)
  const want = lines.filter((l) => /(?<![\d.])67\.43\.156\.\d{1,3}(?![\d.])/.test(l)).length;
  assert.ok(want >= 10, `corpus has the address (${want})`);
  lines.forEach((l, i) => {
    const a = m.matchEvent({ message: l }, { file, line: i + 1 });
    alerts += a.length;
    for (const x of a) {
      assert.equal(x.detector, 'intel');
      assert.equal(x.severity, 'high');
      assert.match(x.indicator!.value, /^67\.43\.156\.\d+$/);
      assert.equal(x.indicator!.field, 'message');
      assert.deepEqual(x.attack, ['T1071']);
      assert.deepEqual(x.source, { file, line: i + 1 });
      assert.match(x.reasons![0], /matches indicator .* from test, confidence 90/);
      assert.match(x.reasons![1], /Test Actor/);
    }
  });
  assert.equal(alerts, want);
  // IPv6 inside message text of a real log
  const v6 = matcherFromRecords([rec('indicator--00000000-0000-4000-8000-000000000002', "[ipv6-addr:value = 'fe80::2205:baff:fe9d:f637']")]);
  const v6file = corpusPath('syslog', 'asa__elastic-integrations__test-sample.log');
  const v6hits = readFileSync(v6file, 'utf8').split('\n').flatMap((l) => v6.matchEvent({ message: l }));
  assert.equal(v6hits.length, readFileSync(v6file, 'utf8').split('\n').filter((l) => l.includes('fe80::2205:baff:fe9d:f637')).length);
  assert.ok(v6hits.length > 0);
  // structured fields, URL and domain suffix
  const web = matcherFromRecords([rec('indicator--00000000-0000-4000-8000-000000000003', "[domain-name:value = 'evil.example']"),
    rec('indicator--00000000-0000-4000-8000-000000000004', "[url:value MATCHES '/level/15/exec/']")]);
  const hits = web.matchEvent({ time: '2026-11-20T01:00:00Z', host: 'edge1', query: 'c2.evil.example', uri: 'http://10.1.1.1/level/15/exec/-/show' });
  assert.deepEqual(hits.map((h) => h.indicator!.field).sort(), ['query', 'uri']);
  assert.equal(hits[0].device, 'edge1');
  assert.equal(hits[0].time, '2026-11-20T01:00:00.000Z');
});

test('matchFlow: both ends, ports, and FOLLOWEDBY across flows', () => {
  const m = matcherFromRecords([
    rec('indicator--00000000-0000-4000-8000-000000000010', "[network-traffic:dst_ref.value = '203.0.113.7' AND network-traffic:dst_port = 57722]", { confidence: 70 }),
    rec('indicator--00000000-0000-4000-8000-000000000011', "[ipv4-addr:value = '198.51.100.1']"),
    rec('indicator--00000000-0000-4000-8000-000000000012', "([ipv4-addr:value = '192.0.2.10'] FOLLOWEDBY [ipv4-addr:value = '192.0.2.20']) WITHIN 600 SECONDS"),
  ]);
  const flow = (src: string, dst: string, dport: number, t: string) => ({ exporter: '10.0.0.1', time_start: t, time_end: t, src_ip: src, dst_ip: dst, src_port: 40000, dst_port: dport, protocol: 6, bytes: 100, packets: 1, input_if: 1, output_if: 2, tcp_flags: 2, version: 9 as const });
  assert.equal(m.matchFlow(flow('10.1.1.1', '203.0.113.7', 22, '2026-11-20T00:00:00Z')).length, 0, 'port must match too');
  const a = m.matchFlow(flow('10.1.1.1', '203.0.113.7', 57722, '2026-11-20T00:00:00Z'));
  assert.equal(a.length, 1);
  assert.deepEqual(a[0].attack, ['T1071'], 'flow hits without techniques get FLOW-13 T1071');
  const b = m.matchFlow(flow('198.51.100.1', '10.1.1.1', 443, '2026-11-20T00:00:00Z'));
  assert.equal(b[0].indicator!.field, 'src_ip');
  assert.deepEqual(b[0].entities!.ips!.sort(), ['10.1.1.1', '198.51.100.1']);
  // sequence: second before first does not fire; first then second within 10 minutes does
  assert.equal(m.matchFlow(flow('10.1.1.1', '192.0.2.20', 443, '2026-11-20T00:00:00Z')).length, 0);
  assert.equal(m.matchFlow(flow('10.1.1.1', '192.0.2.10', 443, '2026-11-20T00:01:00Z')).length, 0);
  const seq = m.matchFlow(flow('10.1.1.1', '192.0.2.20', 443, '2026-11-20T00:05:00Z'));
  assert.equal(seq.length, 1);
  assert.equal(seq[0].rule.id, 'indicator--00000000-0000-4000-8000-000000000012');
  // lookup reports the partial involvement of each address
  assert.equal(m.matchValue('192.0.2.10')[0].partial, true);
  // validity is judged at processing time: an old flow matches today's indicator, nothing matches a not-yet-valid one
  let clock = Date.parse('2026-11-20T00:00:00Z');
  const later = matcherFromRecords([rec('indicator--00000000-0000-4000-8000-000000000013', "[ipv4-addr:value = '198.51.100.2']", { valid_from: '2026-12-01T00:00:00Z', valid_until: '2027-01-01T00:00:00Z' })], { now: () => clock });
  assert.equal(later.matchFlow(flow('198.51.100.2', '10.1.1.1', 443, '2023-05-14T00:00:00Z')).length, 0);
  clock = Date.parse('2026-12-02T00:00:00Z');
  assert.equal(later.matchFlow(flow('198.51.100.2', '10.1.1.1', 443, '2023-05-14T00:00:00Z')).length, 1);
  assert.equal(later.matchFlow(flow('198.51.100.2', '10.1.1.1', 443, '2023-05-14T00:10:00Z')).length, 0, 'repeat within the hour');
  clock = Date.parse('2027-01-02T00:00:00Z');
  assert.equal(later.matchFlow(flow('198.51.100.2', '10.1.1.1', 443, '2023-05-14T05:00:00Z')).length, 0, 'expired');
});

test('matchConfigAddresses on real device configs raises severity for config hits', () => {
  const dir = corpusPath('configs');
  const m = matcherFromRecords([rec('indicator--00000000-0000-4000-8000-000000000020', "[ipv4-addr:value = '17.151.16.0/24']", { confidence: 60 })], { now: () => NOW });
  let found = 0, files = 0;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.cfg'))) {
    const lines = readFileSync(join(dir, f), 'utf8').split('\n');
    const addrs = lines.flatMap((l, i) => {
      const x = /^\s*(ntp server|logging host|tacacs-server host|snmp-server host)\s+(?:vrf \S+ )?(\S+)/.exec(l);
      return x ? [{ address: x[2], context: x[1], line: i + 1, file: f }] : [];
    });
    const alerts = m.matchConfigAddresses(f, addrs);
    if (alerts.length) files++;
    found += alerts.length;
    for (const a of alerts) {
      assert.equal(a.severity, 'high', 'medium confidence, one level up for a config hit');
      assert.equal(a.indicator!.field, 'ntp server');
      assert.match(lines[a.source!.line! - 1], /ntp server 17\.151\.16\.\d+/);
    }
  }
  const want = readdirSync(dir).filter((x) => x.endsWith('.cfg')).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n')).filter((l) => /^\s*ntp server 17\.151\.16\./.test(l)).length;
  assert.ok(want >= 4);
  assert.equal(found, want);
  assert.ok(files >= 1);
  // an ACL prefix inside an indicator range counts; one that only overlaps does not
  assert.equal(m.matchConfigAddresses('r1', [{ address: '17.151.16.128/25', context: 'acl' }]).length, 1);
  assert.equal(m.matchConfigAddresses('r1', ['17.151.17.1']).length, 0);
  // alerts carry the configuration's own time when given (the watched folder's file time), and then the same
  // configuration matched again later gives the same alert (same id), so the store keeps one
  const at = '2026-03-01T10:00:00.000Z';
  const first = m.matchConfigAddresses('r1', [{ address: '17.151.16.128/25', context: 'acl' }], at);
  assert.equal(first[0].time, at);
  assert.equal(m.matchConfigAddresses('r1', [{ address: '17.151.16.128/25', context: 'acl' }], at)[0].id, first[0].id);
  assert.notEqual(m.matchConfigAddresses('r1', [{ address: '17.151.16.128/25', context: 'acl' }])[0].time, at, 'without it, the time of the match');
});

test('CLI: intel import and intel lookup follow the documented contract', () => {
  const data = mkdtempSync(join(tmpdir(), 'tw-intel-'));
  const cli = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
  const misp = join(data, 'event.json');
  require_write(misp, JSON.stringify(MISP_EVENT));
  const list = join(REPO_ROOT, 'rules', 'intel', 'salt-typhoon-public.txt');
  const imp = spawnSync(process.execPath, [cli, 'intel', 'import', '--data', data, '--format', 'json', '--confidence', '30', misp, list], { encoding: 'utf8' });
  assert.equal(imp.status, 0, imp.stderr);
  const rep = JSON.parse(imp.stdout);
  assert.equal(rep.added, 5 + 87);
  assert.equal(rep.rejected.length, 1);
  assert.match(rep.rejected[0].reason, /300\.1\.1\.1/);
  const look = spawnSync(process.execPath, [cli, 'intel', 'lookup', '--data', data, '--format', 'jsonl', '-', '8.8.8.8'], { encoding: 'utf8', input: '45.125.67.144\nnews.colourtinctem.com\n\nnothing.example\n' });
  assert.equal(look.status, 0, look.stderr);
  const out = look.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(out.map((o) => o.value), ['45.125.67.144', 'news.colourtinctem.com']);
  for (const o of out) {
    assert.deepEqual(Object.keys(o), ['value', 'indicators']);
    for (const i of o.indicators) assert.deepEqual(Object.keys(i), ['id', 'pattern', 'source', 'confidence', 'valid_until']);
  }
  assert.equal(out[1].indicators[0].confidence, 85);
  assert.equal(out[1].indicators[0].source, 'misp:Example ISAC');
  const missing = spawnSync(process.execPath, [cli, 'intel', 'import', '--data', data, join(data, 'nope.json')], { encoding: 'utf8' });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /nope\.json: file not found/);
});

import { writeFileSync } from 'node:fs';
function require_write(p: string, s: string): void { writeFileSync(p, s); }

test('audit --iocs: configured addresses matching an indicator become INTEL-IOC findings (real configs)', async () => {
  const { auditFiles } = await import('../../src/pipeline/audit.js');
  const dir = corpusPath('configs');
  const m = matcherFromRecords([rec('indicator--00000000-0000-4000-8000-000000000030', "[ipv4-addr:value = '17.151.16.0/24']", { confidence: 90, actors: ['Test Actor'] })]);
  let n = 0;
  for await (const item of auditFiles([dir], { intel: m })) {
    if (!('device' in item) || !item.device) continue;
    for (const f of item.device.findings.filter((x) => x.check === 'INTEL-IOC')) {
      n++;
      assert.equal(f.kind, 'compromise');
      assert.equal(f.severity, 'critical', 'high confidence, one level up in a config');
      assert.match(f.evidence, /^ntp server 17\.151\.16\.\d+/);
      assert.match(f.title, /related to Test Actor/);
    }
  }
  const want = readdirSync(dir).filter((x) => x.endsWith('.cfg')).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n')).filter((l) => /^\s*ntp server 17\.151\.16\./.test(l)).length;
  assert.equal(n, want);
  const cli = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
  const iocs = join(mkdtempSync(join(tmpdir(), 'tw-iocs-')), 'iocs.txt');
  require_write(iocs, '# test\n17.151.16.0/24\n');
  const r = spawnSync(process.execPath, [cli, 'audit', '--iocs', iocs, '--fail-on', 'none', '--format', 'jsonl', join(dir, 'asa__ciscoconfparse__sample_01.asa.cfg')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const found = r.stdout.split('\n').filter((l) => l.includes('"INTEL-IOC"')).map((l) => JSON.parse(l));
  assert.equal(found.length, 4);
  assert.ok(found.every((f) => f.severity === 'high'), 'no confidence stated: medium, one level up in a config');
});

test('IntelRuntime: the service capability lists and imports indicators and reloads the matcher', async () => {
  const { IntelRuntime } = await import('../../src/pipeline/intel.js');
  const store = await DuckDbStore.open(':memory:');
  try {
    const rt = await IntelRuntime.open(store);
    assert.equal(rt.matcher.matchValue('45.125.67.144').length, 0);
    const cap = rt.capability();
    const r = await cap.import(readFileSync(join(REPO_ROOT, 'rules', 'intel', 'salt-typhoon-public.txt'), 'utf8'), 'ana');
    assert.equal(r.added, 87);
    assert.equal(rt.matcher.matchValue('45.125.67.144').length, 1, 'reloaded after import');
    const doms = await cap.list({ type: 'domain-name', limit: 5, offset: 0 });
    assert.equal(doms.total, 46);
    assert.equal(doms.items.length, 5);
    assert.ok(doms.items.every((i) => i.type === 'domain-name' && i.source === 'api:ana' && i.matches === 0));
    const one = await cap.list({ q: 'materialplies', limit: 10, offset: 0 });
    assert.deepEqual(one.items.map((i) => i.value), ['materialplies.com']);
    await assert.rejects(() => cap.import('{"broken": ', 'ana'), (e: Error & { statusCode?: number }) => e.statusCode === 400);
    rt.close();
  } finally { await store.close(); }
});

test('flows read --iocs: both ends of real NetFlow records against a STIX bundle', () => {
  const cli = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
  const pcap = corpusPath('flows', 'akvorado__data+templates.pcap');
  const plain = spawnSync(process.execPath, [cli, 'flows', 'read', '--format', 'jsonl', pcap], { encoding: 'utf8' });
  assert.equal(plain.status, 0, plain.stderr);
  const records = plain.stdout.trim().split('\n').map((l) => JSON.parse(l) as { src_ip: string; dst_ip: string; time_start: string });
  const ip = '120.120.15.78';
  // independent expectation: one alert per (pair of addresses in either direction, hour) involving the address
  const want = new Set(records.filter((r) => r.src_ip === ip || r.dst_ip === ip).map((r) => `${[r.src_ip, r.dst_ip].sort().join('|')}|${Math.floor(Date.parse(r.time_start) / 3600_000)}`)).size;
  assert.ok(want >= 2);
  const dir = mkdtempSync(join(tmpdir(), 'tw-flowiocs-'));
  const bundle = join(dir, 'bundle.json');
  require_write(bundle, JSON.stringify({ type: 'bundle', id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d', objects: [
    { type: 'indicator', spec_version: '2.1', id: 'indicator--00000000-0000-4000-8000-000000000040', created: '2026-01-01T00:00:00.000Z', modified: '2026-01-01T00:00:00.000Z',
      pattern: `[ipv4-addr:value = '${ip}']`, pattern_type: 'stix', valid_from: '2026-01-01T00:00:00Z', confidence: 90 },
  ] }));
  const r = spawnSync(process.execPath, [cli, 'flows', 'read', '--iocs', bundle, '--format', 'jsonl', pcap], { encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  const alerts = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((o) => o.kind === 'alert' && o.detector === 'intel');
  assert.equal(alerts.length, want);
  assert.ok(alerts.every((a) => a.indicator.value === ip && a.severity === 'high'));
  const badList = join(dir, 'bad.txt');
  require_write(badList, '120.120.15.78\nnot-an-ioc!\n');
  const bad = spawnSync(process.execPath, [cli, 'flows', 'read', '--iocs', badList, pcap], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /bad\.txt: line 2: "not-an-ioc!" is not an IP address/);
});
