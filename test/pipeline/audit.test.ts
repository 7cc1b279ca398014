import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  auditPaths, auditConfigText, configAddresses, diffConfigs, findingToAlert,
} from '../../src/pipeline/audit.js';
import { parseConfig } from '../../src/parsers/configs/parse.js';
import { redactLine } from '../../src/parsers/configs/redact.js';
import { loadSite, siteFromObject } from '../../src/site/load.js';
import type { DeviceReport } from '../../src/model/config.js';
import { REPO_ROOT, corpusPath } from '../corpus.js';

const EX = join(REPO_ROOT, 'examples');
const site = loadSite(join(EX, 'tidewatch.yml'));

/** 1-based line of the first line containing `s` (so tests do not hard-code line numbers). */
function lineOf(file: string, s: string): number {
  const i = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(s));
  assert.ok(i >= 0, `${s} not in ${file}`);
  return i + 1;
}

function has(d: DeviceReport | undefined, check: string, line?: number): boolean {
  return Boolean(d?.findings.some((f) => f.check === check && (line === undefined || f.line === line)));
}

test('the sample fleet: every planted problem is found at its line, the clean device has no compromise finding', async () => {
  const r = await auditPaths([join(EX, 'configs')], { site });
  const dev = (h: string) => r.devices.find((d) => d.hostname === h);
  assert.equal(r.errors.length, 0);
  assert.equal(r.devices.length, readdirSync(join(EX, 'configs')).length);
  const edge = join(EX, 'configs/edge1.cfg');
  assert.ok(has(dev('edge1'), 'TUNNEL-UNDECLARED-PEER', lineOf(edge, 'tunnel destination 203.0.113.45')));
  assert.ok(has(dev('edge1'), 'KNOWN-IMPLANT-ACCOUNT', lineOf(edge, 'username cisco_tac_admin')));
  assert.ok(has(dev('edge1'), 'LOCAL-ACCOUNT-UNAPPROVED', lineOf(edge, 'username cisco_tac_admin')));
  assert.ok(!has(dev('edge1'), 'LOCAL-ACCOUNT-UNAPPROVED', lineOf(edge, 'username netops')));
  assert.ok(has(dev('edge1'), 'MGMT-ACL-EXTERNAL-PERMIT', lineOf(edge, '20 permit 203.0.113.45')));
  assert.ok(!has(dev('edge1'), 'MGMT-ACL-EXTERNAL-PERMIT', lineOf(edge, '10 permit 10.10.0.0')));
  assert.ok(has(dev('edge1'), 'IOSXE-WEBUI-EXPOSED', lineOf(edge, 'ip http secure-server')));
  assert.ok(has(dev('edge1'), 'HTTP-NONSTANDARD-PORT', lineOf(edge, 'ip http secure-port 18443')));
  assert.ok(has(dev('edge1'), 'SSH-EXTRA-LISTENER'));
  assert.ok(has(dev('edge1'), 'IOS-GUESTSHELL-IOX', lineOf(edge, 'iox')));
  const core = join(EX, 'configs/core1.cfg');
  assert.ok(has(dev('core1'), 'AAA-SERVER-UNDECLARED', lineOf(core, 'tacacs-server host 203.0.113.77')));
  assert.ok(!has(dev('core1'), 'AAA-SERVER-UNDECLARED', lineOf(core, 'tacacs-server host 10.10.0.5')));
  assert.ok(has(dev('core1'), 'XR-TUNNEL-UNDECLARED-PEER'));
  assert.ok(has(dev('core1'), 'XR-TELNET-SERVER'));
  assert.ok(has(dev('agg1'), 'SPAN-SESSION'));
  assert.ok(has(dev('agg1'), 'NXOS-BASH-SHELL'));
  assert.ok(has(dev('agg1'), 'NXOS-NXAPI-PORT'));
  assert.ok(has(dev('fw1'), 'ASA-MGMT-EXTERNAL', lineOf(join(EX, 'configs/fw1.cfg'), 'ssh 0.0.0.0 0.0.0.0 outside')));
  assert.ok(has(dev('fw1'), 'SYSLOG-UNDECLARED'));
  assert.ok(has(dev('fw1'), 'ASA-CAPTURE'));
  assert.ok(has(dev('pe1'), 'JUNOS-ACCOUNT-UNAPPROVED', lineOf(join(EX, 'configs/pe1.conf'), 'user svc-backup {')));
  assert.ok(has(dev('pe1'), 'JUNOS-SCRIPTS-EVENTS'));
  assert.ok(has(dev('pe2'), 'JUNOS-TUNNEL-UNDECLARED-PEER'));
  assert.ok(has(dev('pe2'), 'JUNOS-TELNET-FTP'));
  assert.ok(has(dev('leaf1'), 'EOS-MIRROR-GRE-UNDECLARED'));
  assert.ok(has(dev('leaf1'), 'EOS-EVENT-HANDLER'));
  assert.equal(dev('access1')!.findings.filter((f) => f.kind === 'compromise').length, 0);
  assert.equal(r.summary.site, site.path);
  assert.deepEqual(r.summary.assumptions, []);
  assert.equal(r.summary.findings, r.devices.reduce((n, d) => n + d.findings.length, 0));
  assert.equal(r.summary.by_kind.compromise + r.summary.by_kind.hardening, r.summary.findings);
});

test('without a site file, RFC 1918/6598 space is internal and the report says it assumed so', async () => {
  const r = await auditPaths([join(EX, 'configs/core1.cfg')]);
  assert.match(r.summary.assumptions.join(' '), /RFC 1918 and RFC 6598/);
  assert.ok(r.summary.skipped_checks.some((s) => s.check === 'LOCAL-ACCOUNT-UNAPPROVED' && /approved_accounts/.test(s.reason)));
  // 203.0.113.77 is not internal by default, 10.10.0.5 is
  assert.ok(has(r.devices[0], 'AAA-SERVER-UNDECLARED', lineOf(join(EX, 'configs/core1.cfg'), '203.0.113.77')));
  // declaring the peer and AAA server silences those findings
  const declared = siteFromObject({ aaa_servers: ['203.0.113.77', '10.10.0.5'], tunnel_peers: ['203.0.113.77'] });
  const r2 = await auditPaths([join(EX, 'configs/core1.cfg')], { site: declared });
  assert.ok(!has(r2.devices[0], 'AAA-SERVER-UNDECLARED'));
  assert.ok(!has(r2.devices[0], 'XR-TUNNEL-UNDECLARED-PEER'));
});

test('files that are not configurations become errors and the run goes on', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-audit-'));
  writeFileSync(join(dir, 'a-empty.cfg'), '');
  writeFileSync(join(dir, 'b-binary.cfg'), randomBytes(20000));
  writeFileSync(join(dir, 'c-noise.txt'), Array.from({ length: 3000 }, (_, i) => `noise ${i} ${randomBytes(8).toString('hex')}`).join('\n'));
  const real = readFileSync(corpusPath('configs', 'ios__pybatfish__ios_basic_hsrp_BR1.cfg'), 'utf8');
  writeFileSync(join(dir, 'd-truncated.cfg'), real.slice(0, Math.floor(real.length / 3)));
  copyFileSync(join(EX, 'configs/edge1.cfg'), join(dir, 'e-edge1.cfg'));
  const r = await auditPaths([dir]);
  const err = (f: string) => r.errors.find((e) => e.file === join(dir, f))?.message ?? '';
  assert.match(err('a-empty.cfg'), /empty/);
  assert.match(err('b-binary.cfg'), /binary/);
  assert.match(err('c-noise.txt'), /not a recognizable/);
  assert.match(err('d-truncated.cfg'), /truncated/);
  assert.deepEqual(r.devices.map((d) => d.file).sort(), [join(dir, 'd-truncated.cfg'), join(dir, 'e-edge1.cfg')]);
  assert.equal(r.summary.files, 5);
  assert.equal(r.summary.errors, 4);
});

test('auditConfigText audits one configuration from text (live folder watcher)', () => {
  const text = readFileSync(join(EX, 'configs/edge1.cfg'), 'utf8');
  const r = auditConfigText(text, 'edge1.cfg', site);
  assert.ok(r.device);
  assert.equal(r.device.platform, 'iosxe');
  assert.ok(r.device.findings.some((f) => f.check === 'KNOWN-IMPLANT-ACCOUNT'));
  const bad = auditConfigText('\u0000\u0001garbage', 'x.cfg', site);
  assert.ok(bad.error);
  assert.equal(bad.error.file, 'x.cfg');
});

test('evidence is the redacted text of the finding line, across the whole corpus', async () => {
  const r = await auditPaths([corpusPath('configs')]);
  assert.ok(r.devices.length >= 120);
  let n = 0;
  for (const d of r.devices) {
    const lines = readFileSync(d.file, 'utf8').split(/\r?\n/);
    for (const f of d.findings) {
      assert.ok(f.line >= 1 && f.line <= lines.length, `${d.file}: ${f.check} line ${f.line}`);
      assert.equal(f.evidence, redactLine(lines[f.line - 1].trim(), d.platform));
      assert.ok(f.remediation.length > 0, `${f.check} has no remediation for ${d.platform}`);
      n++;
    }
  }
  assert.ok(n > 300, `only ${n} findings on the corpus`);
  // the corpus has planted-looking material too: check a few kinds fire on real files
  const fired = new Set(r.devices.flatMap((d) => d.findings.map((f) => f.check)));
  for (const c of ['XR-TELNET-SERVER', 'IOS-SNMP-COMMUNITY-RW', 'TUNNEL-UNDECLARED-PEER', 'SPAN-SESSION', 'JUNOS-TELNET-FTP', 'MGMT-ACL-EXTERNAL-PERMIT']) {
    assert.ok(fired.has(c), `${c} never fires on the corpus`);
  }
});

test('drift: a baseline comparison names new compromise statements with both versions\' lines', () => {
  const oldText = readFileSync(join(EX, 'configs/access1.cfg'), 'utf8');
  const newText = oldText
    .replace(' permit 10.10.0.0 0.0.0.255\n', ' permit 10.10.0.0 0.0.0.255\n permit host 203.0.113.9\n')
    .replace('!\nlogging trap informational', '!\ninterface Tunnel9\n tunnel source Loopback0\n tunnel destination 203.0.113.9\n!\nlogging trap informational')
    .replace('logging host 10.10.0.16', 'logging host 203.0.113.10');
  const oldTree = parseConfig(oldText, 'old/access1.cfg');
  const newTree = parseConfig(newText, 'new/access1.cfg');
  const diff = diffConfigs(oldTree, newTree);
  const sec = (name: string) => diff.find((d) => d.section === name);
  assert.deepEqual(sec('ip access-list standard VTY')?.added.map((a) => a.text), ['permit host 203.0.113.9']);
  assert.deepEqual(sec('interface Tunnel9')?.added.map((a) => a.text), ['tunnel source Loopback0', 'tunnel destination 203.0.113.9']);
  assert.deepEqual(sec('(global)')?.removed.map((a) => a.text), ['logging host 10.10.0.16']);
  assert.deepEqual(sec('(global)')?.added.map((a) => a.text), ['logging host 203.0.113.10']);
  // formatting-only changes are not differences
  const moved = 'ip ssh version 2\n';
  const reformatted = parseConfig(moved + oldText.replace(moved, '').replace(/\n!\n/g, '\n!\n\n!\n').replace(/\n/g, '  \n'), 'x');
  assert.deepEqual(diffConfigs(oldTree, reformatted), []);
});

test('drift findings through auditPaths with --baseline folders', async () => {
  const base = mkdtempSync(join(tmpdir(), 'tw-base-'));
  const cur = mkdtempSync(join(tmpdir(), 'tw-cur-'));
  const oldText = readFileSync(join(EX, 'configs/access1.cfg'), 'utf8');
  writeFileSync(join(base, 'access1.cfg'), oldText);
  const newText = oldText.replace('logging host 10.10.0.16', 'logging host 203.0.113.10');
  writeFileSync(join(cur, 'access1.cfg'), newText);
  const r = await auditPaths([cur], { site, baseline: [base] });
  const d = r.devices[0];
  assert.equal(d.baseline?.file, join(base, 'access1.cfg'));
  const drift = d.findings.filter((f) => f.kind === 'drift');
  assert.equal(drift.length, 1);
  assert.equal(drift[0].check, 'DRIFT-SYSLOG-UNDECLARED');
  assert.equal(drift[0].line, lineOf(join(cur, 'access1.cfg'), 'logging host 203.0.113.10'));
  assert.deepEqual(drift[0].previous, { file: join(base, 'access1.cfg'), line: lineOf(join(base, 'access1.cfg'), 'logging host 10.10.0.16'), evidence: 'logging host 10.10.0.16' });
  assert.equal(r.summary.by_kind.drift, 1);
  // an unchanged snapshot has no drift
  const same = await auditPaths([base], { site, baseline: [base] });
  assert.equal(same.devices[0].findings.filter((f) => f.kind === 'drift').length, 0);
  assert.deepEqual(same.devices[0].baseline?.diff, []);
});

test('configAddresses lists the addresses a config references, with lines', () => {
  const file = join(EX, 'configs/edge1.cfg');
  const tree = parseConfig(readFileSync(file, 'utf8'), file);
  const a = configAddresses(tree);
  const find = (addr: string, kind: string) => a.find((x) => x.address === addr && x.kind === kind);
  assert.equal(find('203.0.113.45', 'tunnel')?.line, lineOf(file, 'tunnel destination 203.0.113.45'));
  assert.equal(find('203.0.113.45', 'acl')?.line, lineOf(file, '20 permit 203.0.113.45'));
  assert.equal(find('10.10.0.6', 'syslog')?.line, lineOf(file, 'logging host 10.10.0.6'));
  assert.equal(find('10.10.0.5', 'aaa')?.line, lineOf(file, 'address ipv4 10.10.0.5'));
  assert.equal(find('10.10.0.7', 'ntp')?.line, lineOf(file, 'ntp server 10.10.0.7'));
  assert.equal(find('10.10.0.8', 'snmp')?.line, lineOf(file, 'snmp-server host 10.10.0.8'));
  assert.ok(!a.some((x) => x.address === '0.0.0.255'), 'wildcard masks are not addresses');
  const j = parseConfig(readFileSync(join(EX, 'configs/pe2.set'), 'utf8'), 'pe2.set');
  assert.ok(configAddresses(j).some((x) => x.address === '203.0.113.120' && x.kind === 'tunnel'));
});

test('findingToAlert maps a finding onto the common Alert model', async () => {
  const r = await auditPaths([join(EX, 'configs/edge1.cfg')], { site });
  const d = r.devices[0];
  const f = d.findings.find((x) => x.check === 'TUNNEL-UNDECLARED-PEER')!;
  const a = findingToAlert(d, f, '2026-11-23T04:05:06.123Z');
  assert.equal(a.detector, 'audit');
  assert.equal(a.rule.id, 'TUNNEL-UNDECLARED-PEER');
  assert.equal(a.rule.kind, 'compromise');
  assert.equal(a.severity, 'critical');
  assert.deepEqual(a.attack, f.attack);
  assert.equal(a.device, 'edge1');
  assert.deepEqual(a.entities?.ips, ['203.0.113.45']);
  assert.deepEqual(a.source, { file: d.file, line: f.line });
  assert.equal(a.time, '2026-11-23T04:05:06.123Z');
  assert.equal(findingToAlert(d, f, a.time).id, a.id, 'ids are stable');
  const u = d.findings.find((x) => x.check === 'KNOWN-IMPLANT-ACCOUNT')!;
  assert.deepEqual(findingToAlert(d, u).entities?.accounts, ['cisco_tac_admin']);
  assert.ok(!JSON.stringify(findingToAlert(d, u)).includes('$1$w7Kd'), 'no secret in the alert');
});
