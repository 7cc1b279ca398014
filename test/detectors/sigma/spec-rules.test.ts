// sigma-spec sections 1-4 and 10: files, metadata, logsource, detection structure, tags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineOf, errorsOf, warningsOf, hit, ruleYaml, run } from './helpers.js';
import { parseRuleFiles, attackIds, SigmaEngine } from '../../../src/detectors/sigma/index.js';
import { loadPipeline } from '../../../src/pipeline/hunt.js';
import { parseLine } from '../../../src/parsers/index.js';

const ID = '3f6b2c1e-8d4a-4e7b-9c2d-5a1e7f0b9d64';
const base = (extra = '') => `title: t\nlogsource: {product: test}\ndetection:\n  sel: {a: x}\n  condition: sel\n${extra}`;

test('Y-1 a file with a correlation and the two rules it references loads three rules, references resolved', () => {
  const text = `title: failed
name: fail
logsource: {product: test}
detection: {sel: {msg|contains: failed}, condition: sel}
---
title: accepted
name: ok
logsource: {product: test}
detection: {sel: {msg|contains: accepted}, condition: sel}
---
title: fail then ok
correlation: {type: temporal_ordered, rules: [fail, ok], group-by: [user], timespan: 10m}
`;
  const eng = engineOf(text);
  assert.deepEqual(eng.errors, []);
  assert.equal(eng.rules.length, 2);
  assert.equal(eng.correlations.length, 1);
});

test('Y-2 a document with `filter` is a filter and never evaluated as a detection', () => {
  const p = parseRuleFiles([{ path: 'f.yml', text: `title: x\nlogsource: {product: test}\nfilter: {rules: any, sel: {a: x}, condition: not sel}\n` }]);
  assert.equal(p.filters.length, 1);
  assert.equal(p.detections.length, 0);
});

test('Y-3 duplicate keys are a load error naming file and line', () => {
  const errs = errorsOf('title: a\ntitle: b\nlogsource: {product: test}\ndetection: {sel: {a: x}, condition: sel}\n');
  assert.equal(errs.length, 1);
  assert.match(errs[0], /^rule0\.yml:2: .*duplicate key/i);
});

test('Y-4 Sigma 1 collection actions are refused', () => {
  assert.match(errorsOf(`action: global\ntitle: x\nlogsource: {product: test}\n`)[0], /collection action/);
});

test('Y-5 unknown top-level keys are kept as custom attributes; Y-6 style is not enforced', () => {
  const eng = engineOf(base('x_tidewatch_owner: netops\nTitle_Case_Key: 1\n'));
  assert.deepEqual(eng.errors, []);
  assert.equal(eng.rules[0].meta.custom.x_tidewatch_owner, 'netops');
});

test('R-1 title required and at most 256 characters', () => {
  assert.match(errorsOf('logsource: {product: test}\ndetection: {sel: {a: x}, condition: sel}\n')[0], /missing 'title'/);
  assert.match(errorsOf(base().replace('title: t', `title: ${'x'.repeat(257)}`))[0], /longer than 256/);
  assert.deepEqual(errorsOf(base().replace('title: t', `title: ${'x'.repeat(256)}`)), []);
});

test('R-2 id must be a UUID (decision: refuse, like pySigma)', () => {
  assert.deepEqual(errorsOf(base(`id: ${ID}\n`)), []);
  assert.match(errorsOf(base('id: cisco-rule-1\n'))[0], /rule0\.yml:6: .*'id' must be a UUID/);
});

test('R-3 status values, case-insensitive', () => {
  assert.match(errorsOf(base('status: production\n'))[0], /'status' must be one of/);
  assert.equal(engineOf(base('status: Stable\n')).rules[0].meta.status, 'stable');
});

test('R-4 level values, case-insensitive', () => {
  assert.match(errorsOf(base('level: severe\n'))[0], /'level' must be one of/);
  assert.equal(engineOf(base('level: HIGH\n')).rules[0].meta.level, 'high');
});

test('R-5 dates: YYYY-MM-DD ok, YYYY/M/D warns, others refused', () => {
  assert.deepEqual(errorsOf(base('date: 2024-01-05\n')), []);
  assert.deepEqual(errorsOf(base('date: 2024/1/5\n')), []);
  assert.ok(warningsOf(base('date: 2024/1/5\n')).some((w) => /not in the Sigma 2 format/.test(w)));
  assert.match(errorsOf(base('date: 05-01-2024\n'))[0], /'date' must be a date/);
});

test('R-6 related types', () => {
  assert.match(errorsOf(base(`related: [{id: ${ID}, type: sibling}]\n`))[0], /related type/);
  assert.deepEqual(errorsOf(base(`related: [{id: ${ID}, type: derived}]\n`)), []);
});

test('R-7 falsepositives as a string is accepted as a one-item list with a warning (decision)', () => {
  const eng = engineOf(base('falsepositives: Unknown\n'));
  assert.deepEqual(eng.errors, []);
  assert.deepEqual(eng.rules[0].meta.falsepositives, ['Unknown']);
  assert.ok(eng.warnings.some((w) => /should be a list/.test(w.reason)));
});

test('L-1 logsource needs category, product or service; custom keys kept', () => {
  assert.match(errorsOf('title: t\nlogsource: {}\ndetection: {sel: {a: x}, condition: sel}\n')[0], /at least one of category, product, service/);
  const eng = engineOf('title: t\nlogsource: {product: cisco, service: aaa, vendor_format: tacacs}\ndetection: {sel: {a: x}, condition: sel}\n');
  assert.deepEqual(eng.errors, []);
  assert.equal(eng.rules[0].meta.logsource.vendor_format, 'tacacs');
});

test('L-4/L-5 routing through the pipeline: TACACS+ accounting is cisco/aaa, interface syslog is not; firewall; linux', () => {
  const pipeline = loadPipeline('tidewatch');
  const rule = (ls: string, kw: string) => `title: '${ls}'\nlogsource: ${ls}\ndetection: {kw: ['${kw}'], condition: kw}\n`;
  const eng = engineOf([
    rule('{product: cisco, service: aaa}', 'show'),
    rule('{product: cisco, service: syslog}', 'changed state'),
    rule('{category: firewall}', 'denied'),
    rule('{product: linux}', 'for'),
  ], { pipeline });
  assert.deepEqual(eng.errors, []);
  const titles = (line: string) => eng.process(parseLine(line, {}).event!).map((m) => m.rule.title).sort();
  assert.deepEqual(titles('Nov 23 03:04:05\t10.1.1.1\teve\ttty2\t10.0.0.9\tstop\ttask_id=8\tservice=shell\tcmd=show running-config <cr>'), ['{product: cisco, service: aaa}']);
  assert.deepEqual(titles('<189>1: r1: Nov 23 03:04:05 UTC: %LINK-3-UPDOWN: Interface Gi0/1, changed state to down'), ['{product: cisco, service: syslog}']);
  assert.deepEqual(titles('<189>1: r1: Nov 23 03:04:05 UTC: %SEC-6-IPACCESSLOGP: list 10 denied tcp 1.2.3.4(1) -> 5.6.7.8(22), 1 packet'), ['{category: firewall}']);
  assert.deepEqual(titles('Nov 23 03:04:05 jump1 sshd[1]: Accepted password for bob from 10.0.0.1 port 2 ssh2'), ['{product: linux}']);
  assert.deepEqual(titles('Nov 23 03:04:05 jump1 sudo:  bob : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/ls for'), ['{product: linux}']);
});

test('D-1 a detection needs a search identifier besides the condition; identifier characters', () => {
  assert.match(errorsOf('title: t\nlogsource: {product: test}\ndetection: {condition: sel}\n')[0], /no search identifiers/);
  assert.match(errorsOf('title: t\nlogsource: {product: test}\ndetection: {"sel.a": {a: x}, condition: sel}\n')[0], /may only use letters/);
});

test('D-2 a map is AND', () => {
  const d = { sel: { action: 'Add', cfgpath: 'system.admin' }, condition: 'sel' };
  assert.equal(hit(d, { action: 'Add', cfgpath: 'system.admin', user: 'x' }), true);
  assert.equal(hit(d, { action: 'Edit', cfgpath: 'system.admin' }), false);
});

test('D-3 a list under one field is OR', () => {
  const d = { sel: { dst_port: [21, 23, 80] }, condition: 'sel' };
  assert.equal(hit(d, { dst_port: 23 }), true);
  assert.equal(hit(d, { dst_port: 22 }), false);
});

test('D-4 a list of maps is OR of ANDs', () => {
  const d = { sel: [{ method: 'PUT', 'user_agent|contains': 'WebDAV' }, { method: 'PROPFIND' }], condition: 'sel' };
  assert.equal(hit(d, { method: 'PROPFIND', user_agent: 'curl' }), true);
  assert.equal(hit(d, { method: 'PUT', user_agent: 'curl' }), false);
});

test('D-5 / D-6 keyword lists and single keywords search the raw line', () => {
  assert.equal(hit({ keywords: ['clear logging', 'clear archive'], condition: 'keywords' }, { raw: '... logged command:clear logging' }), true);
  assert.equal(hit({ sel: 'no logging', condition: 'sel' }, { raw: 'cmd=no logging buffered' }), true);
  assert.equal(hit({ sel: 'no logging', condition: 'sel' }, { raw: 'cmd=logging buffered' }), false);
});

test("D-7 keyword modifiers: '|all' ANDs keywords", () => {
  const d = { kw: { '|all': [':179', 'BGP_AUTH_FAILED'] }, condition: 'kw' };
  assert.equal(hit(d, { raw: 'BGP_AUTH_FAILED peer 10.0.0.2:179' }), true);
  assert.equal(hit(d, { raw: 'BGP_AUTH_FAILED peer 10.0.0.2' }), false);
});

test('D-8 a list mixing scalars and maps: each element is an alternative', () => {
  const d = { sel: ['telnet', { dst_port: 23 }], condition: 'sel' };
  assert.equal(hit(d, { dst_port: 23, raw: 'conn' }), true);
  assert.equal(hit(d, { raw: 'telnet session' }), true);
  assert.equal(hit(d, { raw: 'ssh session', dst_port: 22 }), false);
});

test('D-9 keywords: substring of raw, case-insensitive, wildcards inside; any string value when raw is absent', () => {
  assert.equal(hit({ keywords: ['username'], condition: 'keywords' }, { raw: '%PARSER-5-CFGLOG_LOGGEDCMD: User:admin logged command:username bob privilege 15 secret 5 x' }), true);
  assert.equal(hit({ keywords: ['shutdown'], condition: 'keywords' }, { raw: 'cmd=interface Gi0/1 ; no shutdown' }), true);
  assert.equal(hit({ keywords: ['USERNAME b*b'], condition: 'keywords' }, { raw: 'username bob privilege' }), true);
  assert.equal(hit({ keywords: ['monitor capture'], condition: 'keywords' }, { user: 'x', nested: { cmd: 'Monitor Capture CAP start' } }), true);
  assert.equal(hit({ keywords: ['monitor capture'], condition: 'keywords' }, { user: 'x' }), false);
});

test('D-10 / C-11 a list-valued condition is OR of its entries', () => {
  const d = { sel_a: { a: 1 }, sel_b: { b: 1 }, condition: ['sel_a', 'sel_b'] };
  assert.equal(hit(d, { b: 1 }), true);
  assert.equal(hit(d, { c: 1 }), false);
});

test('T-1 tags need namespace.value; T-2 unknown namespaces warn; T-3/T-5 ids from tags', () => {
  assert.match(errorsOf(base('tags: [attack]\n'))[0], /namespace\.value/);
  assert.ok(warningsOf(base('tags: [acme.thing]\n')).some((w) => /unknown tag namespace/.test(w)));
  assert.deepEqual(attackIds(['attack.t1136.001', 'attack.g0125', 'attack.persistence', 'cve.2023-20198', 'attack.T1040']), ['T1136.001', 'T1040']);
});

test('R-8 / LIC-1 matches carry the rule metadata the license asks for', () => {
  const eng: SigmaEngine = engineOf(ruleYaml({ kw: ['username'], condition: 'kw' }, { author: 'Austin Clark', id: ID, level: 'high', tags: ['attack.t1136.001'], references: ['https://x'], falsepositives: ['admins'] }));
  const m = run(eng, [{ raw: 'username bob' }]);
  assert.equal(m.length, 1);
  assert.equal(m[0].rule.author, 'Austin Clark');
  assert.equal(m[0].rule.id, ID);
  assert.equal(m[0].rule.level, 'high');
  assert.deepEqual(m[0].rule.references, ['https://x']);
  assert.deepEqual(m[0].rule.falsepositives, ['admins']);
});
