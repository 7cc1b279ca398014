// sigma-spec sections 8 and 9: correlation rules and filters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BARE, engineOf, errorsOf, run } from './helpers.js';
import { HuntEngine } from '../../../src/pipeline/hunt.js';
import { percentile } from '../../../src/detectors/sigma/correlation.js';
import type { Event } from '../../../src/model/event.js';
import type { SigmaMatch } from '../../../src/detectors/sigma/index.js';

const FAIL = `title: sshd failed password
name: ssh_fail
logsource: {product: test}
detection: {sel: {msg|contains: Failed password}, condition: sel}
level: low
`;
const OK = `title: sshd accepted
name: ssh_ok
logsource: {product: test}
detection: {sel: {msg|contains: Accepted}, condition: sel}
`;
const corr = (body: string, extra = '') => `title: corr\nname: corr\nlevel: high\n${extra}correlation:\n${body.split('\n').map((l) => '  ' + l).join('\n')}\n`;
const docs = (...d: string[]) => d.join('---\n');
const at = (min: number, sec = 0) => new Date(Date.UTC(2026, 10, 23, 10, min, sec)).toISOString();
const fail = (min: number, src_ip = '203.0.113.9', user = 'alice'): Event => ({ time: at(min), msg: `Failed password for ${user}`, src_ip, user });
const ok = (min: number, user = 'alice'): Event => ({ time: at(min), msg: `Accepted password for ${user}`, user, src_ip: '203.0.113.9' });
const corrOnly = (ms: ReturnType<typeof run>) => ms.filter((m) => m.kind === 'correlation');

test('K-1 correlation validation errors', () => {
  const e = (body: string) => errorsOf(docs(FAIL, corr(body)));
  assert.match(e('rules: [ssh_fail]\ntimespan: 5m\ncondition: {gte: 5}')[0], /without 'type'/);
  assert.match(e('type: event_sum\nrules: [ssh_fail]\ntimespan: 5m\ncondition: {gte: 5}')[0], /unknown correlation type/);
  assert.match(e('type: event_count\ntimespan: 5m\ncondition: {gte: 5}')[0], /without 'rules'/);
  assert.match(e('type: event_count\nrules: [ssh_fail]\ncondition: {gte: 5}')[0], /without 'timespan'/);
  for (const t of ['1H', '5 min', 'm5']) assert.match(e(`type: event_count\nrules: [ssh_fail]\ntimespan: ${t}\ncondition: {gte: 5}`)[0], /malformed timespan/);
  assert.match(e('type: event_count\nrules: [ssh_fail]\ntimespan: 5m')[0], /needs a 'condition'/);
  assert.match(e('type: value_count\nrules: [ssh_fail]\ntimespan: 5m\ncondition: {gte: 5}')[0], /needs condition.field/);
  assert.match(errorsOf(docs(FAIL, corr('type: event_count\nrules: [ssh_fail]\ntimespan: 5m\ncondition: {gte: 5}', 'generate: maybe\n')))[0], /'generate' must be true or false/);
  assert.match(e('type: event_count\nrules: [ssh_fail]\ntimespan: 5m\ncondition: {gte: 5}\naliases: [x]')[0], /'aliases' must be a map/);
  const missing = e('type: event_count\nrules: [does_not_exist]\ntimespan: 5m\ncondition: {gte: 5}');
  assert.match(missing[0], /rule0\.yml:\d+: .*refers to rule 'does_not_exist', which is not loaded/);
});

test('K-2 timespan units: w accepted, M and y with a warning', () => {
  const eng = engineOf(docs(FAIL, corr('type: event_count\nrules: [ssh_fail]\ntimespan: 1w\ncondition: {gte: 5}')));
  assert.deepEqual(eng.errors, []);
  assert.equal(eng.correlations[0].state.corr.timespanMs, 7 * 86400e3);
  const m = engineOf(docs(FAIL, corr('type: event_count\nrules: [ssh_fail]\ntimespan: 1M\ncondition: {gte: 5}')));
  assert.deepEqual(m.errors, []);
  assert.ok(m.warnings.some((w) => /not in the Sigma specification/.test(w.reason)));
});

const burst = (extra = '') => docs(FAIL, corr(`type: event_count\nrules: [ssh_fail]\ngroup-by: [src_ip]\ntimespan: 5m\ncondition: {gte: 5}${extra}`));

test('K-3 / K-4 event_count: sliding windows per group, base rule silent (K-14)', () => {
  const five = [0, 1, 2, 3, 3].map((m) => fail(m));
  let ms = run(engineOf(burst()), five);
  assert.equal(ms.length, 1, 'one correlation alert, base rule does not alert');
  assert.equal(ms[0].kind, 'correlation');
  assert.deepEqual(ms[0].correlation?.group, { src_ip: '203.0.113.9' });
  assert.equal(ms[0].correlation?.value, 5);
  assert.equal(ms[0].correlation?.events.length, 5);
  assert.equal(ms[0].source?.line, 5, 'the event that completed it');
  assert.equal(corrOnly(run(engineOf(burst()), five.slice(0, 4))).length, 0);
  assert.equal(corrOnly(run(engineOf(burst()), [0, 1, 2, 3, 4].map((m, i) => fail(m, `203.0.113.${i}`)))).length, 0);
  assert.equal(corrOnly(run(engineOf(burst()), [0, 2, 5, 7, 10].map((m) => fail(m)))).length, 0);
  // sliding, not bucketed: 10:03, 10:06, 10:07 with gte 3 in 5m fires at 10:07
  const three = docs(FAIL, corr('type: event_count\nrules: [ssh_fail]\ngroup-by: [src_ip]\ntimespan: 5m\ncondition: {gte: 3}'));
  ms = corrOnly(run(engineOf(three), [3, 6, 7].map((m) => fail(m))));
  assert.equal(ms.length, 1, '10:03, 10:06 and 10:07 are within 5 minutes although they straddle a 5-minute bucket');
  assert.equal(corrOnly(run(engineOf(three), [1, 6, 7].map((m) => fail(m)))).length, 0, '10:01 to 10:07 is more than 5 minutes');
  assert.equal(ms[0].time, at(7));
});

test('K-5 value_count: distinct values per group', () => {
  const spray = docs(FAIL, corr('type: value_count\nrules: [ssh_fail]\ngroup-by: [src_ip]\ntimespan: 10m\ncondition: {field: user, gte: 3}'));
  assert.equal(corrOnly(run(engineOf(spray), ['admin', 'cisco', 'netops'].map((u, i) => fail(i, '198.51.100.7', u)))).length, 1);
  assert.equal(corrOnly(run(engineOf(spray), Array.from({ length: 10 }, (_, i) => fail(i % 9, '198.51.100.7', 'admin')))).length, 0);
});

const ACL = `title: acl changed\nname: acl_changed\nlogsource: {product: test}\ndetection: {sel: {cmd|startswith: access-list}, condition: sel}\n`;
const ODD = `title: ssh on odd port\nname: ssh_on_odd_port\nlogsource: {product: test}\ndetection: {sel: {cmd|startswith: ip ssh port}, condition: sel}\n`;

test('K-6 temporal: all rules in any order within the window, same group', () => {
  const t = docs(ACL, ODD, corr('type: temporal\nrules: [acl_changed, ssh_on_odd_port]\ngroup-by: [device]\ntimespan: 15m'));
  const e = (min: number, device: string, cmd: string): Event => ({ time: at(min), device, cmd });
  assert.equal(corrOnly(run(engineOf(t), [e(0, 'core-r1', 'ip ssh port 22022 rotary 1'), e(10, 'core-r1', 'access-list 20 permit host 1.2.3.4')])).length, 1);
  assert.equal(corrOnly(run(engineOf(t), [e(0, 'core-r1', 'ip ssh port 22022 rotary 1'), e(10, 'core-r2', 'access-list 20 permit host 1.2.3.4')])).length, 0);
  assert.equal(corrOnly(run(engineOf(t), [e(0, 'core-r1', 'ip ssh port 22022 rotary 1'), e(20, 'core-r1', 'access-list 20 permit host 1.2.3.4')])).length, 0);
});

test('K-7 / K-13 temporal_ordered chained on an event_count correlation', () => {
  const t = docs(FAIL, OK,
    `title: burst\nname: ssh_fail_burst\ncorrelation:\n  type: event_count\n  rules: [ssh_fail]\n  group-by: [user]\n  timespan: 5m\n  condition: {gte: 3}\n`,
    corr('type: temporal_ordered\nrules: [ssh_fail_burst, ssh_ok]\ngroup-by: [user]\ntimespan: 10m'));
  const eng = engineOf(t);
  assert.deepEqual(eng.errors, []);
  let ms = corrOnly(run(eng, [fail(0), fail(1), fail(3), ok(5)]));
  assert.deepEqual(ms.map((m) => m.rule.title), ['corr'], 'only the outermost correlation alerts');
  ms = corrOnly(run(engineOf(t), [ok(0), fail(2), fail(3), fail(4)]));
  assert.equal(ms.length, 0);
});

test('K-8 value_sum and value_avg', () => {
  const SRC = `title: flow\nname: flow_to_external\nlogsource: {product: test}\ndetection: {sel: {dir: out}, condition: sel}\n`;
  const sum = docs(SRC, corr('type: value_sum\nrules: [flow_to_external]\ngroup-by: [src_ip]\ntimespan: 1h\ncondition: {field: bytes_out, gt: 1000000000}'));
  const f = (min: number, b: number | string): Event => ({ time: at(min), dir: 'out', src_ip: '10.0.0.5', bytes_out: b });
  assert.equal(corrOnly(run(engineOf(sum), [f(0, 6e8), f(30, 5e8)])).length, 1);
  assert.equal(corrOnly(run(engineOf(sum), [f(0, 6e8), f(30, 3e8), f(40, 'n/a')])).length, 0);
  const avg = docs(SRC, corr('type: value_avg\nrules: [flow_to_external]\ngroup-by: [src_ip]\ntimespan: 24h\ncondition: {field: bytes_out, gt: 500}'));
  const ms = corrOnly(run(engineOf(avg), [f(0, 100), f(1, 900), f(2, 800)]));
  assert.equal(ms.length, 1, 'decided when the window closes (at the end of input)');
  assert.equal(ms[0].correlation?.value, 600);
});

test('K-9 value_percentile: percentile required; linear interpolation', () => {
  const SRC = `title: rtt\nname: rtt\nlogsource: {product: test}\ndetection: {sel: {probe: yes}, condition: sel}\n`;
  assert.match(errorsOf(docs(SRC, corr('type: value_percentile\nrules: [rtt]\ntimespan: 1h\ncondition: {field: rtt_ms, gt: 800}')))[0], /needs condition.percentile/);
  const p = docs(SRC, corr('type: value_percentile\nrules: [rtt]\ntimespan: 1h\ncondition: {field: rtt_ms, percentile: 95, gt: 800}'));
  const vals = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 5000];
  const ms = corrOnly(run(engineOf(p), vals.map((v, i) => ({ time: at(i), probe: 'yes', rtt_ms: v }))));
  assert.equal(ms.length, 1);
  assert.equal(percentile(vals.slice().sort((a, b) => a - b), 95), 2550);
});

test('K-10 condition operators and ranges (the spec, not pySigma)', () => {
  const count = (n: number, cond: string) => {
    const t = docs(FAIL, corr(`type: event_count\nrules: [ssh_fail]\ntimespan: 1h\ncondition: ${cond}`));
    return corrOnly(run(engineOf(t), Array.from({ length: n }, (_, i) => fail(i % 50)))).length;
  };
  assert.equal(count(5, '{gte: 5}'), 1);
  assert.equal(count(5, '{gt: 5}'), 0);
  assert.equal(count(1, '{eq: 1}'), 1);
  assert.equal(count(2, '{eq: 1}'), 0);
  assert.equal(count(3, '{neq: 0}'), 1);
  assert.equal(count(150, '{gt: 100, lte: 200}'), 1);
  assert.equal(count(250, '{gt: 100, lte: 200}'), 0);
  assert.equal(count(100, '{gt: 100, lte: 200}'), 0);
  // lt is decided when the window closes, on the event clock
  const lt = docs(FAIL, corr('type: event_count\nrules: [ssh_fail]\ngroup-by: [src_ip]\ntimespan: 15m\ncondition: {lt: 3}'));
  const ms = run(engineOf(lt), [fail(0, 'a'), fail(1, 'b'), fail(2, 'b'), fail(3, 'b'), { time: at(40), msg: 'heartbeat' }]);
  assert.deepEqual(corrOnly(ms).map((m) => m.correlation?.group.src_ip), ['a'], 'decided at 10:40, before the end of input');
});

test('K-11 group-by: composite keys; no group-by is one group; events lacking a field are left out and counted', () => {
  const t = docs(FAIL, corr('type: event_count\nrules: [ssh_fail]\ngroup-by: [src_ip, user]\ntimespan: 5m\ncondition: {gte: 2}'));
  assert.equal(corrOnly(run(engineOf(t), [fail(0, '10.0.0.1', 'alice'), fail(1, '10.0.0.1', 'bob')])).length, 0);
  assert.equal(corrOnly(run(engineOf(t), [fail(0, '10.0.0.1', 'alice'), fail(1, '10.0.0.1', 'alice')])).length, 1);
  const g = docs(FAIL, corr('type: event_count\nrules: [ssh_fail]\ntimespan: 5m\ncondition: {gte: 2}'));
  assert.equal(corrOnly(run(engineOf(g), [fail(0, 'a', 'x'), fail(1, 'b', 'y')])).length, 1);
  const eng = engineOf(t);
  run(eng, [{ time: at(0), msg: 'Failed password', user: 'x' }]);
  assert.equal(eng.correlations[0].state.counters.missingGroupField, 1);
});

test('K-12 aliases: the same entity under different field names', () => {
  const TF = `title: tacacs fail\nname: tacacs_fail\nlogsource: {product: test}\ndetection: {sel: {acct: fail}, condition: sel}\n`;
  const t = docs(TF, FAIL, corr('type: temporal\nrules: [tacacs_fail, ssh_fail]\ngroup-by: [client]\ntimespan: 10m\naliases:\n  client: {tacacs_fail: rem_addr, ssh_fail: src_ip}'));
  const ms = corrOnly(run(engineOf(t), [{ time: at(0), acct: 'fail', rem_addr: '198.51.100.7' }, fail(3, '198.51.100.7')]));
  assert.equal(ms.length, 1);
  assert.deepEqual(ms[0].correlation?.group, { client: '198.51.100.7' });
  assert.match(errorsOf(docs(TF, corr('type: temporal\nrules: [tacacs_fail]\ngroup-by: [client]\ntimespan: 10m\naliases:\n  client: {other: x}')))[0], /names no field/);
  assert.match(errorsOf(docs(corr('type: temporal\nrules: [corr]\ntimespan: 10m')))[0], /cycle/);
});

test('K-14 generate: true lets the base rule alert too; K-15 repeats suppressed after firing', () => {
  const ms = run(engineOf(burst().replace('level: high\n', 'level: high\ngenerate: true\n')), [0, 1, 2, 3, 4].map((m) => fail(m)));
  assert.equal(ms.filter((m) => m.kind === 'detection').length, 5);
  assert.equal(corrOnly(ms).length, 1);
  assert.equal(corrOnly(run(engineOf(burst()), [0, 0, 1, 1, 2, 2].map((m) => fail(m)))).length, 1, 'the sixth event does not fire again');
  assert.equal(corrOnly(run(engineOf(burst()), Array.from({ length: 10 }, (_, i) => fail(Math.floor(i / 3))))).length, 2, 'ten events: two alerts of five');
});

const LOCAL = `title: Cisco Local Accounts\nid: 6d844f0f-1c18-41af-8f19-33e7654edfc3\nname: local_accounts\nlogsource: {product: cisco, service: aaa}\ndetection: {keywords: [username, aaa], condition: keywords}\n`;
const filt = (ls: string, cond = 'not selection', rules = '[6d844f0f-1c18-41af-8f19-33e7654edfc3]') => `title: allow automation\nlogsource: ${ls}\nfilter:\n  rules: ${rules}\n  selection: {user: netops-automation}\n  condition: ${cond}\n`;

test('F-1 / F-2 filters AND their condition into the rules they name, when the logsource contains them', () => {
  const line = '...username svc1 privilege 15...';
  let eng = engineOf([LOCAL, filt('{product: cisco}')]);
  assert.deepEqual(eng.errors, []);
  assert.equal(run(eng, [{ raw: line, user: 'netops-automation' }]).length, 0);
  assert.equal(run(eng, [{ raw: line, user: 'eve' }]).length, 1);
  eng = engineOf([LOCAL, filt('{product: cisco, service: syslog}')]);
  assert.equal(run(eng, [{ raw: line, user: 'netops-automation' }]).length, 1, 'filter logsource does not contain the rule');
  eng = engineOf([LOCAL, filt('{product: cisco}', 'not selection', 'any')]);
  assert.equal(run(eng, [{ raw: line, user: 'netops-automation' }]).length, 0, 'rules: any');
  assert.ok(engineOf([LOCAL, filt('{product: cisco}', 'selection')]).warnings.some((w) => /has no 'not'/.test(w.reason)));
});

test('F-3 unknown rule references are reported, not fatal; F-5 filter validation', () => {
  const eng = engineOf([LOCAL, filt('{product: cisco}', 'not selection', '[local_accounts, nope]')]);
  assert.deepEqual(eng.errors, []);
  assert.ok(eng.warnings.some((w) => /'nope', which is not loaded/.test(w.reason)));
  assert.match(errorsOf([LOCAL, `title: f\nlogsource: {product: cisco}\nfilter:\n  selection: {user: x}\n  condition: not selection\n`])[0], /needs 'rules'/);
  assert.match(errorsOf([LOCAL, `title: f\nlogsource: {product: cisco}\nfilter:\n  rules: any\n  selection: {user: x}\n  condition: [not selection]\n`])[0], /one string/);
});

test('F-4 a filter on a base rule changes what reaches the correlation; F-6 precedence kept', () => {
  const f = `title: no backups\nlogsource: {product: test}\nfilter:\n  rules: [ssh_fail]\n  selection: {user: svc_backup}\n  condition: not selection\n`;
  const eng = engineOf([burst(), f]);
  assert.equal(corrOnly(run(eng, [0, 1, 2, 3, 4].map((m) => fail(m, '203.0.113.9', 'svc_backup')))).length, 0);
  const ab = `title: ab\nname: ab\nlogsource: {product: test}\ndetection: {a: {fa: 1}, b: {fb: 1}, condition: a or b}\n`;
  const nf = `title: nf\nlogsource: {product: test}\nfilter:\n  rules: [ab]\n  f: {ff: 1}\n  condition: not f\n`;
  assert.equal(run(engineOf([ab, nf]), [{ fb: 1, ff: 1 }]).length, 0);
  assert.equal(run(engineOf([ab, nf]), [{ fb: 1 }]).length, 1);
});

test('engines built from the same parsed rules keep their own correlation state (a detector per partition)', () => {
  const read = HuntEngine.readRules(undefined, [{ path: 'burst.yml', text: burst() }]);
  const a = HuntEngine.fromRead(read, { pipeline: BARE });
  const b = HuntEngine.fromRead(read, { pipeline: BARE });
  const src = { file: 'events', line: 1 };
  // four failures in a, one in b: neither reaches five alone
  for (const m of [0, 1, 2, 3]) assert.deepEqual(a.process(fail(m), src), []);
  assert.deepEqual(b.process(fail(3), src), []);
  // the fifth in a completes a's window; b still has one
  assert.equal(a.process(fail(4), src).length, 1);
  assert.deepEqual(b.process(fail(4), src), []);
  // and a fresh engine from the same parsed rules decides like one built from the text
  const fresh = HuntEngine.fromRead(read, { pipeline: BARE });
  const own = HuntEngine.fromTexts([{ path: 'burst.yml', text: burst() }], { pipeline: BARE });
  const five = [0, 1, 2, 3, 3].map((m) => fail(m));
  const ids = (e: HuntEngine) => five.flatMap((ev, i) => e.process(ev, { file: 'events', line: i + 1 })).map((x) => `${x.rule.id}@${x.source?.line}`);
  assert.deepEqual(ids(fresh), ids(own));
  assert.equal(ids(HuntEngine.fromRead(read, { pipeline: BARE })).length, 1);
});

// Correlations with the same definition share one state (engine: CorrNode.primary). The reference is the same rule
// set with the copies' conditions written differently (same meaning for counts, so no sharing): every match, its
// order and the snapshots must be the same.
test('K-share correlations with the same definition share a state and alert as with their own', () => {
  const count = (name: string, cond: string, extra = '') => `title: ${name}\nname: ${name}\nlevel: high\n${extra}correlation:\n  type: event_count\n  rules: [ssh_fail]\n  group-by: [src_ip]\n  timespan: 5m\n  condition: ${cond}\n`;
  const then = (name: string, first: string, extra = '') => `title: ${name}\nname: ${name}\nlevel: high\n${extra}correlation:\n  type: temporal_ordered\n  rules: [${first}, ssh_ok]\n  group-by: [src_ip]\n  timespan: 1h\n`;
  const build = (alt: boolean) => engineOf(docs(FAIL, OK,
    count('burst', '{gte: 3}'),
    count('few', '{lt: 4}'), // decided when its window closes (event clock, flush)
    count('burst_feed', alt ? '{gte: 3, gt: 2}' : '{gte: 3}'),
    count('few2', alt ? '{lt: 4, lte: 3}' : '{lt: 4}'),
    then('then_burst', 'burst', 'generate: true\n'), // its burst alerts too
    then('then_feed', 'burst_feed'),
  ));
  const ips = ['203.0.113.9', '198.51.100.7', '192.0.2.44'];
  const events: Event[] = [];
  for (let i = 0; i < 90; i++) {
    const t = new Date(Date.UTC(2026, 10, 23, 10, 0, 0) + i * 37_000).toISOString();
    // a pause in failures from 40 to 55 (nine minutes): windows then close on the clock of other events
    if (i < 40 || i >= 55) events.push({ time: t, msg: 'Failed password for alice', src_ip: ips[(i * i) % 3], user: 'alice' });
    if (i % 11 === 5 || (i >= 40 && i < 55)) events.push({ time: t, msg: 'Accepted password for alice', src_ip: ips[i % 3], user: 'alice' });
  }
  const shared = build(false), apart = build(true);
  assert.deepEqual(shared.errors, []);
  assert.deepEqual(shared.correlations.filter((c) => c.primary).map((c) => c.state.corr.name), ['burst_feed', 'few2']);
  assert.equal(apart.correlations.filter((c) => c.primary).length, 0);
  const view = (ms: SigmaMatch[]) => ms.map((m) => JSON.stringify({ ...m, rule: m.rule.name }));
  const half = 50;
  const a: SigmaMatch[] = [], b: SigmaMatch[] = [];
  events.slice(0, half).forEach((e, i) => { a.push(...shared.process(e, { file: 'events', line: i + 1 })); b.push(...apart.process(e, { file: 'events', line: i + 1 })); });
  // the shared state is saved under both ids, as two states were
  const snap = JSON.parse(JSON.stringify(shared.snapshot()));
  assert.deepEqual(snap, JSON.parse(JSON.stringify(apart.snapshot())));
  const moved = build(false);
  moved.restore(snap);
  const rest: SigmaMatch[] = [];
  events.slice(half).forEach((e, i) => {
    const src = { file: 'events', line: half + i + 1 };
    a.push(...shared.process(e, src)); b.push(...apart.process(e, src)); rest.push(...moved.process(e, src));
  });
  a.push(...shared.flush()); b.push(...apart.flush()); rest.push(...moved.flush());
  assert.deepEqual(view(a), view(b));
  const names = new Set(a.map((m) => m.rule.name));
  for (const n of ['burst', 'few', 'few2', 'then_burst', 'then_feed']) assert.ok(names.has(n), `${n} alerts`);
  assert.ok(!names.has('burst_feed'), 'a correlation that only feeds another stays silent');
  // a restored engine goes on as the one that was never moved
  assert.deepEqual(view(rest), view(a.slice(a.length - rest.length)));
  assert.ok(rest.length > 0 && rest.length < a.length);
  assert.deepEqual(shared.correlations.find((c) => c.state.corr.name === 'few2')?.state.counters, shared.correlations.find((c) => c.state.corr.name === 'few')?.state.counters);
});
