import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { corpusPath, REPO_ROOT } from '../corpus.js';
import {
  AccessLineParser, AccessMappingError, NATIVE_CSV, NATIVE_JSONL, WarrantFileError, loadAccessMapping, mappingFromObject, parseWarrants,
} from '../../src/parsers/access.js';
import { readAccessFiles } from '../../src/pipeline/access.js';

const FIX = join(REPO_ROOT, 'test', 'fixtures', 'access');

test('every shipped mapping in rules/access loads and validates', () => {
  const files = readdirSync(join(REPO_ROOT, 'rules', 'access')).filter((f) => f.endsWith('.yml'));
  assert.ok(files.length >= 2);
  for (const f of files) {
    const m = loadAccessMapping(f.replace(/\.yml$/, ''));
    assert.ok(m.fields.time && m.fields.operator && m.fields.action, f);
  }
  assert.equal(loadAccessMapping('jsonl'), NATIVE_JSONL);
  assert.equal(loadAccessMapping('csv'), NATIVE_CSV);
});

test('mapping errors name the file and the problem', () => {
  assert.throws(() => loadAccessMapping('no-such-mapping'), AccessMappingError);
  assert.throws(() => mappingFromObject({ format: 'jsonl', fields: { time: 't', operator: 'u' } }, 'm.yml'), /fields\.action` is required/);
  assert.throws(() => mappingFromObject({ fields: { time: 't', operator: 'u', action: 'a', colour: 'c' } }, 'm.yml'), /colour` is not a model field/);
  assert.throws(() => mappingFromObject({ fields: { time: 't', operator: 'u', action: { field: 'a', map: { X: 'launch' } } } }, 'm.yml'), /"X" maps to "launch", which is not an action/);
  assert.throws(() => mappingFromObject({ fields: { time: { field: 't', timezone: 'CET' }, operator: 'u', action: 'a' } }, 'm.yml'), /not a UTC offset/);
  assert.throws(() => mappingFromObject({ format: 'xml', fields: {} }, 'm.yml'), /format/);
  const dir = mkdtempSync(join(tmpdir(), 'tw-map-'));
  writeFileSync(join(dir, 'bad.yml'), 'fields: [oops\n');
  assert.throws(() => loadAccessMapping(join(dir, 'bad.yml')), (e: Error) => e instanceof AccessMappingError && e.message.includes('bad.yml') && /YAML/.test(e.message));
});

test('native JSON Lines: fields by their own names, defaults, and errors with line numbers', () => {
  const p = new AccessLineParser(NATIVE_JSONL);
  const ok = p.line(JSON.stringify({ time: '2026-11-23T04:05:06.123Z', system: 'li-admin', operator: 'amoreno', src_host: 'li-jump-01', src_ip: '10.20.0.11', action: 'search', targets: ['+12025550100'], case_ref: 'LI-1', records: 3, result: 'success' }), 7);
  assert.ok(ok && 'event' in ok);
  assert.equal(ok.line, 7);
  assert.deepEqual(ok.event.targets, ['+12025550100']);
  assert.equal(ok.event.records, 3);
  // login_failed without a result is a failure; a single string of targets splits on ";"
  const lf = p.line('{"time":"2026-11-23 04:05:06","system":"cdr-warehouse","operator":"x","action":"login_failed","targets":"a;b"}', 8);
  assert.ok(lf && 'event' in lf);
  assert.equal(lf.event.result, 'failure');
  assert.equal(lf.event.time, '2026-11-23T04:05:06.000Z');
  assert.deepEqual(lf.event.targets, ['a', 'b']);
  assert.equal(p.line('   ', 9), null);
  const bad = (text: string) => { const r = p.line(text, 10); assert.ok(r && 'error' in r, text); return r.error; };
  assert.match(bad('{"time":"2026-11-23T04:05:06Z","system":"s","operator":"x","action":"drop"}'), /action "drop" is not one of/);
  assert.match(bad('{"time":"2026-13-40T04:05:06Z","system":"s","operator":"x","action":"login"}'), /not a valid ISO 8601 time/);
  assert.match(bad('{"time":"2026-11-23T04:05:06Z","system":"s","action":"login"}'), /no operator/);
  assert.match(bad('{"time":"2026-11-23T04:05:06Z","operator":"x","action":"login"}'), /no system/);
  assert.match(bad('{"time":"2026-11-23T04:05:06Z","system":"s","operator":"x","action":"export","bytes":-4}'), /bytes "-4"/);
  assert.match(bad('{"time":"2026-11-23T04:05:06Z","system":"s","operator":"x","action":"login","result":"maybe"}'), /result "maybe"/);
  assert.match(bad('{"time":"2026-11-23T04:05:06Z","system":"s","operator":"x","action":"search","targets":[{"a":1}]}'), /targets must be a list of strings/);
  assert.match(bad('{"time": "2026'), /not valid JSON/);
  assert.match(bad('"just a string"'), /not a JSON object/);
  const big = p.line('x'.repeat(100), 11, true);
  assert.ok(big && 'error' in big && /too long/.test(big.error));
});

test('the etsi-audit-jsonl mapping reads nested records, translates codes and reports the rows it cannot map', async () => {
  const r = await readAccessFiles([join(FIX, 'etsi-audit.jsonl')], 'etsi-audit-jsonl', { sort: false });
  assert.equal(r.counts.events, 6);
  assert.deepEqual(r.errors.map((e) => e.source.line), [8, 9, 10, 11, 12, 13, 14]);
  assert.match(r.errors[0].error, /destination\.create/);
  const prov = r.records.find((x) => x.event.action === 'provision_intercept')!;
  assert.equal(prov.source.line, 2);
  assert.equal(prov.event.system, 'li-admin');
  assert.equal(prov.event.case_ref, 'LI-2026-0042');
  assert.deepEqual(prov.event.targets, ['tel:+12025550100', '310150123456789']);
  const exp = r.records.find((x) => x.event.action === 'export')!;
  assert.equal(exp.event.time, '2026-11-23T08:06:00.000Z', 'a stamp with an offset is converted to UTC');
  assert.equal(exp.event.bytes, 84_000_000, 'numbers given as strings are numbers');
  const role = r.records.find((x) => x.event.action === 'admin_change')!;
  assert.deepEqual([role.event.change, role.event.account, role.event.role], ['role_change', 'bokafor', 'li-admin']);
  const denied = r.records.find((x) => x.event.operator === 'mallory')!;
  assert.equal(denied.event.result, 'failure');
});

test('the cdr-vendor-csv mapping: local day-first times, quoted cells spanning lines, wrong column counts', async () => {
  const r = await readAccessFiles([join(FIX, 'cdr-vendor.csv')], 'cdr-vendor-csv', { sort: false });
  assert.equal(r.counts.events, 5);
  const lines = r.records.map((x) => x.source.line);
  assert.deepEqual(lines, [2, 3, 4, 5, 11]);
  assert.equal(r.records[0].event.time, '2026-11-23T09:00:05.000Z', '10:00:05 at UTC+01:00');
  assert.deepEqual(r.records[1].event.targets, ['+12025550100', '310150123456789']);
  assert.deepEqual(r.records[2].event.targets, ['+1 (202) 555-0100'], 'a quoted cell');
  assert.equal(r.records[3].event.case_ref, 'SUB-2026-0042\nsecond line of a note', 'a quoted cell over two lines is one record');
  assert.equal(r.records[3].event.bytes, 70_000_000);
  assert.deepEqual([r.records[4].event.change, r.records[4].event.account, r.records[4].event.role], ['role_change', 'jdoe', 'dba']);
  const errs = new Map(r.errors.map((e) => [e.source.line, e.error]));
  assert.match(errs.get(7)!, /31\/02\/2026.*not a valid DD\/MM\/YYYY/);
  assert.match(errs.get(8)!, /DROP_TABLE/);
  assert.match(errs.get(9)!, /expected 12 columns, found 6/);
  assert.match(errs.get(12)!, /WEIRD/);
});

test('native CSV with a BOM and epoch times; an unterminated quote at the end is reported, not thrown', () => {
  const m = mappingFromObject({ format: 'csv', csv: { header: false, columns: ['ts', 'who', 'what', 'sys'] }, fields: { time: { field: 'ts', format: 'epoch_s' }, operator: 'who', action: 'what', system: 'sys' } }, 'inline');
  const p = new AccessLineParser(m);
  const r = p.line('\ufeff1795406706,amoreno,login,li-admin', 1);
  assert.ok(r && 'event' in r);
  assert.equal(r.event.time, '2026-11-23T04:05:06.000Z');
  assert.equal(p.line('1795406706,"amoreno,login,li-admin', 2), null);
  assert.equal(p.line('still inside', 3), null);
  const end = p.end();
  assert.ok(end && 'error' in end && end.line === 2 && /unterminated/.test(end.error));
  const n = new AccessLineParser(NATIVE_CSV);
  assert.equal(n.line('\ufefftime,system,operator,action,targets', 1), null);
  const x = n.line('2026-11-23T04:05:06Z,li-admin,amoreno,search,+1202555;+1303555', 2);
  assert.ok(x && 'event' in x);
  assert.deepEqual(x.event.targets, ['+1202555', '+1303555']);
});

test('gzip input is read transparently and files are merged in time order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-acc-'));
  const a = join(dir, 'a.jsonl.gz');
  const b = join(dir, 'b.csv');
  writeFileSync(a, gzipSync('{"time":"2026-11-23T10:00:00Z","system":"li-admin","operator":"x","action":"login"}\n{"time":"2026-11-23T12:00:00Z","system":"li-admin","operator":"x","action":"logout"}\n'));
  writeFileSync(b, 'time,system,operator,action\n2026-11-23T11:00:00Z,cdr-warehouse,y,login\n');
  const r = await readAccessFiles([a, b]);
  assert.deepEqual(r.records.map((x) => `${x.source.file.endsWith('.gz') ? 'a' : 'b'}:${x.source.line}`), ['a:1', 'b:2', 'a:2']);
  await assert.rejects(readAccessFiles([join(dir, 'missing.jsonl')]), /missing\.jsonl: no such file/);
});

test('real corpus: TACACS+ accounting records exported by a SIEM map through a declarative mapping', async () => {
  // Elastic's expected ECS documents for Cisco ISE TACACS+ accounting, one per line, as a SIEM export would hold them
  const doc = JSON.parse(readFileSync(corpusPath('syslog', 'ise__elastic-integrations__test-pipeline-tacacs-accounting.expected.json'), 'utf8')) as { expected: Record<string, unknown>[] };
  const dir = mkdtempSync(join(tmpdir(), 'tw-acc-'));
  const f = join(dir, 'ise.jsonl');
  writeFileSync(f, doc.expected.map((e) => JSON.stringify(e)).join('\n') + '\n{"@timestamp":"2020-02-21T19:13:08.328Z","event":{"action":"tacacs-accounting"}}\n');
  const mapping = mappingFromObject({
    format: 'jsonl',
    fields: {
      time: '@timestamp', system: { field: 'cisco_ise.log.network.device.name' }, operator: 'user.name', src_ip: ['source.ip', 'client.ip'],
      action: { field: 'cisco_ise.log.acct.request.flags', map: { Start: 'login', Stop: 'logout' } },
    },
  }, 'ise-inline');
  const r = await readAccessFiles([f], mapping, { sort: false });
  assert.equal(r.counts.events, doc.expected.length);
  for (const x of r.records) {
    assert.ok(x.event.operator.startsWith('psx'));
    assert.equal(x.event.src_ip, '81.2.69.144');
    assert.ok(['login', 'logout'].includes(x.event.action));
  }
  assert.deepEqual(r.records.map((x) => x.event.time.slice(0, 4)), ['2020', '2020', '2020', '2022']);
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0].source.line, doc.expected.length + 1);
});

test('real corpus: device syslog given to the access readers never crashes and every line is reported by number', async () => {
  const dir = corpusPath('syslog');
  const logs = readdirSync(dir).filter((f) => f.endsWith('.log') || f.endsWith('.txt'));
  assert.ok(logs.length >= 8);
  for (const name of logs) {
    const file = join(dir, name);
    const nonBlank = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).length;
    const j = await readAccessFiles([file], 'jsonl', { sort: false, maxErrors: 1e6 });
    assert.equal(j.counts.events, 0, name);
    assert.equal(j.counts.errors, nonBlank, `${name}: one error per non-blank line`);
    assert.ok(j.errors.every((e) => e.source.file === file && e.source.line! >= 1));
    // as CSV the first line is a header; nothing maps, nothing throws
    const c = await readAccessFiles([file], 'csv', { sort: false, maxErrors: 1e6 });
    assert.equal(c.counts.events, 0, name);
  }
});

test('warrant register: JSON and CSV forms give the same warrants; bad entries are named', () => {
  const j = parseWarrants(readFileSync(join(FIX, 'warrants.json'), 'utf8'), 'warrants.json');
  const c = parseWarrants(readFileSync(join(FIX, 'warrants.csv'), 'utf8'), 'warrants.csv');
  assert.deepEqual(c, j);
  assert.equal(j.length, 4);
  assert.equal(j[1].valid_from, '2026-11-01T00:00:00.000Z');
  assert.equal(j[1].valid_until, '2026-11-30T23:59:59.999Z', 'a date-only valid_until covers that whole day');
  assert.deepEqual(j[3].operators, []);
  assert.throws(() => parseWarrants('[{"case_ref":"A","targets":[],"valid_from":"2026-01-01","valid_until":"2026-02-01"}]', 'w.json'), (e: Error) => e instanceof WarrantFileError && /entry 0 \(A\): no targets/.test(e.message));
  assert.throws(() => parseWarrants('[{"case_ref":"A","targets":["1"],"valid_from":"soon","valid_until":"2026-02-01"}]', 'w.json'), /valid_from "soon"/);
  assert.throws(() => parseWarrants('[{"case_ref":"A","targets":["1"],"valid_from":"2026-03-01","valid_until":"2026-02-01"}]', 'w.json'), /before valid_from/);
  assert.throws(() => parseWarrants('case_ref,targets,valid_from,valid_until\nA,1,2026-01-01,2026-02-01\nB,2,never,2026-02-01\n', 'w.csv'), /line 3 \(B\): valid_from "never"/);
  assert.throws(() => parseWarrants('case,targets\nA,1\n', 'w.csv'), /needs a `case_ref` column/);
  assert.throws(() => parseWarrants('[{"case_ref": ', 'w.json'), /w\.json: not valid JSON/);
});
