import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../corpus.js';
import { AccessMonitor } from '../../../src/detectors/access/monitor.js';
import { maskTarget, normalizeTarget, WarrantRegister } from '../../../src/detectors/access/warrants.js';
import { accessAlertRecord } from '../../../src/detectors/access/alerts.js';
import { parseWarrants } from '../../../src/parsers/access.js';
import { siteFromObject } from '../../../src/site/load.js';
import type { AccessEvent } from '../../../src/model/access.js';
import type { Alert } from '../../../src/model/alert.js';

const FIX = join(REPO_ROOT, 'test', 'fixtures', 'access');
const warrants = parseWarrants(readFileSync(join(FIX, 'warrants.json'), 'utf8'), 'warrants.json');
const site = siteFromObject({
  access: {
    jump_hosts: ['li-jump-01', 'cdr-jump-01.corp.example', '10.20.0.0/24', '10.20.1.21'],
    operators: [
      { name: 'amoreno', status: 'active', role: 'li-admin' }, { name: 'bokafor', status: 'active', role: 'cdr-analyst' },
      { name: 'jdoe', status: 'active', role: 'cdr-analyst' }, { name: 'cleaver', status: 'disabled' },
    ],
    bulk_export_bytes: 50_000_000,
  },
});

function ev(p: Partial<AccessEvent> & { time: string }): AccessEvent {
  return { system: 'cdr-warehouse', operator: 'jdoe', src_host: 'cdr-jump-01', src_ip: '10.20.1.21', action: 'search', targets: [], result: 'success', ...p };
}

/** Runs events through a fresh monitor (rules only) and returns the alerts with the line that raised them. */
function run(events: AccessEvent[], opts: ConstructorParameters<typeof AccessMonitor>[0] = {}): Alert[] {
  const m = new AccessMonitor({ warrants, site: site.access, ...opts });
  const out: Alert[] = [];
  events.forEach((e, i) => out.push(...m.process(e, { file: 'audit.jsonl', line: i + 1 })));
  out.push(...m.flush());
  return out;
}
const kinds = (a: Alert[]) => a.map((x) => `${x.rule.kind}@${x.source?.line ?? x.source?.lines?.join('+')}`);

test('targets normalize across the forms systems write them, and mask for output', () => {
  for (const s of ['+12025550100', '12025550100', 'tel:+1 (202) 555-0100', 'TEL:+1-202-555-0100', 'msisdn:12025550100']) assert.equal(normalizeTarget(s), '12025550100', s);
  assert.equal(normalizeTarget('35-209900-176148-1'), normalizeTarget('352099001761481'));
  assert.equal(normalizeTarget('SIP:+12025550123@IMS.example.net;user=phone'), normalizeTarget('sip:12025550123@ims.example.net'));
  assert.equal(maskTarget('+12025550100'), '+12*******00');
  assert.equal(maskTarget('sip:+12025550123@ims.example.net'), 'sip:+12*******23@ims.example.net');
  assert.ok(!maskTarget('310150123456789').includes('0123456'));
});

test('no_warrant: unknown target, expired case, case that does not name the target; a covering warrant is enough', () => {
  const a = run([
    ev({ time: '2026-11-23T10:00:00Z', targets: ['12025550100'], case_ref: 'SUB-2026-0042' }), // covered (register writes "+1 202 555 0100")
    ev({ time: '2026-11-23T10:01:00Z', targets: ['+19995550000'] }), // nobody's target
    ev({ time: '2026-11-23T10:02:00Z', operator: 'bokafor', targets: ['12025550199'], case_ref: 'SUB-2026-0107' }), // expired 2026-11-20
    ev({ time: '2026-11-23T10:03:00Z', targets: ['+19995550000'], case_ref: 'SUB-2026-0042' }), // case does not name it
    ev({ time: '2026-11-23T10:04:00Z', targets: ['+19995550000'], case_ref: 'NOPE-1' }), // case unknown
    ev({ time: '2026-11-23T10:05:00Z', targets: ['tel:+12025550100'], system: 'li-admin', src_host: 'li-jump-01', src_ip: '10.20.0.11', action: 'provision_intercept', case_ref: 'LI-2026-0042' }),
    ev({ time: '2026-12-05T10:06:00Z', targets: ['310150123456789'], action: 'export', bytes: 10, case_ref: 'SUB-2026-0042' }), // SUB expired, LI-0042 still covers for jdoe
    ev({ time: '2026-11-23T10:07:00Z', targets: ['+19995550000'], result: 'failure' }),
  ]);
  assert.deepEqual(kinds(a), ['no_warrant@2', 'no_warrant@3', 'no_warrant@4', 'no_warrant@5', 'no_warrant@8']);
  const r = a.map((x) => x.reasons!.join(' '));
  assert.match(r[0], /citing no case; no warrant in the register names this target/);
  assert.match(r[1], /citing case SUB-2026-0107, which expired at 2026-11-20T00:00:00.000Z/);
  assert.match(r[2], /citing case SUB-2026-0042, which does not name this target/);
  assert.match(r[3], /citing case NOPE-1, which is not in the warrant register/);
  assert.ok(!r.join(' ').includes('19995550000'), 'targets are masked by default');
  assert.equal(a[4].severity, 'medium', 'a refused search is one step lower');
  assert.equal(a[0].severity, 'high');
  assert.deepEqual(a[0].attack, ['T1213']);
  const shown = run([ev({ time: '2026-11-23T10:01:00Z', targets: ['+19995550000'] })], { showTargets: true });
  assert.match(shown[0].reasons![0], /\+19995550000/);
});

test('an intercept provisioned without a warrant is critical', () => {
  const a = run([ev({ time: '2026-11-23T10:00:00Z', system: 'li-admin', operator: 'amoreno', src_host: 'li-jump-01', src_ip: '10.20.0.11', action: 'provision_intercept', targets: ['+19995550001'] })]);
  assert.deepEqual(kinds(a), ['no_warrant@1']);
  assert.equal(a[0].severity, 'critical');
  assert.match(a[0].reasons![0], /provisioned an intercept on/);
});

test('unauthorized_operator: a valid warrant that does not list the operator; an empty list restricts nobody', () => {
  const a = run([
    ev({ time: '2026-11-23T10:00:00Z', operator: 'bokafor', targets: ['+12025550100'], case_ref: 'SUB-2026-0042' }),
    ev({ time: '2026-11-23T10:01:00Z', operator: 'bokafor', targets: ['sip:+12025550123@ims.example.net'] }),
    ev({ time: '2026-11-23T10:02:00Z', operator: 'amoreno', targets: ['+12025550100'] }), // LI-2026-0042 lists amoreno
  ]);
  assert.deepEqual(kinds(a), ['unauthorized_operator@1']);
  assert.match(a[0].reasons![0], /under case SUB-2026-0042, which authorizes jdoe, not bokafor/);
  assert.deepEqual(a[0].attack, ['T1213', 'T1078']);
});

test('undeclared_source: declared names (short or fully qualified) and prefixes pass; others alert once per hour and source', () => {
  const a = run([
    ev({ time: '2026-11-23T10:00:00Z', src_host: 'cdr-jump-01.corp.example', src_ip: '192.0.2.1' }),
    ev({ time: '2026-11-23T10:00:10Z', src_host: undefined, src_ip: '10.20.0.77' }),
    ev({ time: '2026-11-23T10:01:00Z', src_host: 'ws-fin-114', src_ip: '10.60.3.4', action: 'login' }),
    ev({ time: '2026-11-23T10:02:00Z', src_host: 'ws-fin-114', src_ip: '10.60.3.4', action: 'logout' }),
    ev({ time: '2026-11-23T10:03:00Z', src_host: undefined, src_ip: '172.16.0.9', action: 'login' }),
    ev({ time: '2026-11-23T11:30:00Z', src_host: 'ws-fin-114', src_ip: '10.60.3.4', action: 'login' }),
    ev({ time: '2026-11-23T11:31:00Z', src_host: undefined, src_ip: undefined, action: 'login' }),
  ]);
  assert.deepEqual(kinds(a), ['undeclared_source@3', 'undeclared_source@5', 'undeclared_source@6']);
  assert.match(a[0].reasons![0], /from ws-fin-114 \/ 10\.60\.3\.4, which is not a declared jump host/);
  assert.deepEqual(run([ev({ time: '2026-11-23T10:01:00Z', src_host: 'anywhere' })], { site: { ...site.access, jump_hosts: [] } }), [], 'without declared jump hosts the check is off');
});

test('new_account: a created account, and an account nobody declared; privilege_change names who, whom and the role', () => {
  const a = run([
    ev({ time: '2026-11-23T10:00:00Z', system: 'li-admin', operator: 'amoreno', src_host: 'li-jump-01', action: 'admin_change', change: 'create_account', account: 'svc_export', role: 'cdr-analyst' }),
    ev({ time: '2026-11-23T12:00:00Z', operator: 'svc_export', action: 'login' }),
    ev({ time: '2026-11-23T12:05:00Z', operator: 'zz_ghost', action: 'login' }),
    ev({ time: '2026-11-23T12:06:00Z', operator: 'ZZ_Ghost', action: 'logout' }),
    ev({ time: '2026-11-23T13:00:00Z', system: 'li-admin', operator: 'amoreno', src_host: 'li-jump-01', action: 'admin_change', change: 'role_change', account: 'jdoe', role: 'li-admin' }),
    ev({ time: '2026-11-23T13:01:00Z', system: 'li-admin', operator: 'jdoe', src_host: 'li-jump-01', action: 'admin_change', change: 'role_change', account: 'jdoe', role: 'li-superuser' }),
    ev({ time: '2026-11-23T13:02:00Z', system: 'li-admin', operator: 'amoreno', src_host: 'li-jump-01', action: 'admin_change', change: 'password_reset', account: 'jdoe' }),
  ]);
  assert.deepEqual(kinds(a), ['new_account@1', 'new_account@3', 'privilege_change@5', 'privilege_change@6']);
  assert.match(a[0].reasons!.join(' '), /amoreno created the account svc_export with role cdr-analyst/);
  assert.match(a[1].reasons![0], /zz_ghost .* neither in the site file's operator list nor in the learned history/);
  assert.match(a[2].reasons!.join(' '), /changed the role of jdoe to li-admin.*The site file gives jdoe the role cdr-analyst/);
  assert.equal(a[3].severity, 'critical', 'changing one\'s own role');
  assert.deepEqual(a[0].attack, ['T1136']);
  assert.deepEqual(a[2].attack, ['T1098']);
  assert.deepEqual(run([ev({ time: '2026-11-23T12:05:00Z', operator: 'zz_ghost' })], { site: {} }), [], 'with no roster and no models nobody is new');
});

test('disabled_account: listed as disabled, or disabled in the stream; re-enabling ends it', () => {
  const a = run([
    ev({ time: '2026-11-23T10:00:00Z', operator: 'cleaver', action: 'login' }),
    ev({ time: '2026-11-23T10:05:00Z', operator: 'cleaver', action: 'search', targets: ['+12025550100'] }), // folded (same hour)
    ev({ time: '2026-11-23T11:00:00Z', system: 'li-admin', operator: 'amoreno', src_host: 'li-jump-01', action: 'admin_change', change: 'disable_account', account: 'bokafor' }),
    ev({ time: '2026-11-23T10:59:00Z', operator: 'bokafor', action: 'logout' }), // before it was disabled
    ev({ time: '2026-11-24T09:00:00Z', operator: 'bokafor', action: 'login_failed', result: 'failure' }),
    ev({ time: '2026-11-24T10:00:00Z', system: 'li-admin', operator: 'amoreno', src_host: 'li-jump-01', action: 'admin_change', change: 'enable_account', account: 'bokafor' }),
    ev({ time: '2026-11-24T10:30:00Z', operator: 'bokafor', action: 'login' }),
  ]);
  assert.deepEqual(kinds(a).filter((k) => k.startsWith('disabled')), ['disabled_account@1', 'disabled_account@5']);
  const d = a.filter((x) => x.rule.kind === 'disabled_account');
  assert.equal(d[0].severity, 'critical');
  assert.equal(d[1].severity, 'high', 'a failed attempt is one step lower');
  assert.match(d[1].reasons![0], /amoreno disabled it at 2026-11-23T11:00:00Z \(audit\.jsonl:3\)/);
});

test('bulk_export above the site threshold; failed_login_burst per operator and system over a sliding window', () => {
  const fails = (start: number, n: number, system = 'cdr-warehouse') => Array.from({ length: n }, (_, i) => ev({ time: new Date(Date.parse('2026-11-23T10:00:00Z') + (start + i * 20) * 1000).toISOString(), action: 'login_failed', result: 'failure', system }));
  const a = run([
    ev({ time: '2026-11-23T09:00:00Z', action: 'export', bytes: 49_000_000, targets: ['+12025550100'], case_ref: 'SUB-2026-0042' }),
    ev({ time: '2026-11-23T09:01:00Z', action: 'export', bytes: 700_000_000, records: 2_000_000, targets: ['+12025550100'], case_ref: 'SUB-2026-0042' }),
    ...fails(0, 4), // 4: under the threshold
    ...fails(0, 2, 'li-mediation'), // another system: its own count
    ...fails(2000, 7), // a burst of 7 (alert once, at the 5th)
  ]);
  assert.deepEqual(kinds(a), ['bulk_export@2', 'failed_login_burst@9+10+11+12+13']);
  assert.equal(a[0].severity, 'critical', 'over ten times the threshold');
  assert.match(a[0].reasons![0], /exported 700\.0 MB \(2,000,000 records\) from cdr-warehouse; the site's bulk export threshold is 50\.0 MB/);
  assert.match(a[1].reasons![0], /^5 failed logins for jdoe on cdr-warehouse within 80 s from 10\.20\.1\.21/);
  assert.deepEqual(a[1].attack, ['T1110']);
  const rec = accessAlertRecord(a[1]);
  assert.deepEqual(rec.source, { file: 'audit.jsonl', lines: [9, 10, 11, 12, 13] });
  const single = accessAlertRecord(a[0]);
  assert.deepEqual(Object.keys(single).slice(0, 6), ['kind', 'severity', 'reasons', 'operator', 'time', 'source']);
  assert.deepEqual(single.source, { file: 'audit.jsonl', line: 2 });
});

test('alerts carry stable ids, the common model fields, and an event with masked targets', () => {
  const e = ev({ time: '2026-11-23T10:01:00Z', targets: ['+19995550000'] });
  const a1 = run([e]);
  const a2 = run([e]);
  assert.equal(a1[0].id, a2[0].id);
  assert.equal(a1[0].detector, 'access');
  assert.equal(a1[0].rule.id, 'access.no_warrant');
  assert.deepEqual(a1[0].entities?.accounts, ['jdoe']);
  assert.deepEqual((a1[0].event as unknown as AccessEvent).targets, [maskTarget('+19995550000')]);
  assert.equal(new WarrantRegister(warrants).size, 4);
});
