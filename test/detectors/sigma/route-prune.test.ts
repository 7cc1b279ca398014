// Rules left out of a logsource route's plan when their detection is false on the route's fields alone
// (CompiledDetection.onRoute, bench/hunt round 9). The three-valued decision must be sound (a rule it leaves out
// never matches an event of that route) and must not change what the engine reports: checked on small rules for
// each form of condition, and on every corpus syslog line plus lines of the shipped rules' own message ids, with
// the shipped pipeline and all 161 rules, against every rule's test run on every event its selectors admit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { corpusPath, REPO_ROOT } from '../../corpus.js';
import { engineOf } from './helpers.js';
import { Pipeline, type SigmaEngine } from '../../../src/detectors/sigma/index.js';
import { EvalCtx } from '../../../src/detectors/sigma/context.js';
import { NO } from '../../../src/detectors/sigma/compile.js';
import { HuntEngine } from '../../../src/pipeline/hunt.js';
import { parseEvent } from '../../../src/parsers/index.js';
import type { Event } from '../../../src/model/event.js';

/** A pipeline routing on vendor and mnemonic, like the shipped one routes device syslog. */
const PIPE = new Pipeline({ name: 'route-test', logsources: [{ logsource: { product: 'dev' }, events: [{ vendor: 'acme' }] }] });
const ROUTED = new Pipeline({
  name: 'route-test',
  logsources: [{ logsource: { product: 'dev' }, events: [{ vendor: 'acme', mnemonic: ['*'] }, { vendor: 'acme', platform: 'ios' }] }],
});

const rule = (name: string, detection: string) => `title: ${name}\nname: ${name}\nlogsource: {product: dev}\ndetection:\n${detection.split('\n').map((l) => '  ' + l).join('\n')}\n`;
const RULES = [
  rule('pure', 'sel: {mnemonic|endswith: USER_ADDED}\ncondition: sel'),
  rule('and_msg', 'sel: {mnemonic|endswith: CONFIG_P, message|contains: webui}\ncondition: sel'),
  rule('or_msg', 'a: {mnemonic: LINK-UPDOWN}\nb: {message|contains: bar}\ncondition: a or b'),
  rule('not_route', 'a: {mnemonic: LINK-UPDOWN}\nb: {message|contains: x}\ncondition: b and not a'),
  rule('list_of_maps', 'sel:\n  - {mnemonic: A-1}\n  - {mnemonic: B-2, message|contains: y}\ncondition: sel'),
  rule('keywords', 'kw: [USER_ADDED, zzz]\ncondition: kw'),
  rule('fieldref', 'sel: {mnemonic|fieldref: other}\ncondition: sel'),
  rule('one_of', 'sel_a: {mnemonic|startswith: SEC}\nsel_b: {mnemonic|startswith: SYS}\ncondition: 1 of sel_*'),
  rule('all_of', 'sel_a: {mnemonic|startswith: SYS}\nsel_b: {message|contains: x}\ncondition: all of sel_*'),
].join('---\n');

function planTitles(e: SigmaEngine, ev: Event): string[] {
  return (e as unknown as { route(ev: Event): { rules: { meta: { name: string } }[] } }).route(ev).rules.map((r) => r.meta.name);
}

test('a rule is left out of a route exactly when its condition is false on the routing fields', () => {
  const e = engineOf(RULES, { pipeline: ROUTED });
  assert.deepEqual(e.errors, []);
  const ev = (mnemonic: string, message = ''): Event => ({ vendor: 'acme', platform: 'ios', kind: 'system', mnemonic, message, other: 'SYS-5-CONFIG_P' });
  assert.deepEqual(planTitles(e, ev('LINK-UPDOWN')), ['or_msg', 'keywords', 'fieldref']);
  assert.deepEqual(planTitles(e, ev('AAA-6-USER_ADDED')), ['pure', 'or_msg', 'not_route', 'keywords', 'fieldref']);
  assert.deepEqual(planTitles(e, ev('SYS-5-CONFIG_P')), ['and_msg', 'or_msg', 'not_route', 'keywords', 'fieldref', 'one_of', 'all_of']);
  assert.deepEqual(planTitles(e, ev('B-2')), ['or_msg', 'not_route', 'list_of_maps', 'keywords', 'fieldref']);
  assert.deepEqual(planTitles(e, ev('SEC-1')), ['or_msg', 'not_route', 'keywords', 'fieldref', 'one_of']);
  // the rules that stay still decide per event
  const names = (ms: ReturnType<SigmaEngine['process']>) => ms.map((m) => m.rule.name);
  assert.deepEqual(names(e.process(ev('SYS-5-CONFIG_P', 'via webui x'))), ['and_msg', 'not_route', 'fieldref', 'one_of', 'all_of']);
  assert.deepEqual(names(e.process(ev('LINK-UPDOWN', 'bar x'))), ['or_msg']);
  assert.deepEqual(names(e.process(ev('AAA-6-USER_ADDED', 'zzz'))), ['pure', 'keywords']);
  // a route that does not fix the field (no mnemonic among the routing fields): nothing is left out
  const loose = engineOf(RULES, { pipeline: PIPE });
  assert.equal(planTitles(loose, ev('LINK-UPDOWN')).length, 9);
});

test('a dotted routing field is not decided by the route (the rule may read it as a path into a nested object)', () => {
  const pipe = new Pipeline({ name: 'dotted', logsources: [{ logsource: { product: 'dev' }, events: [{ vendor: 'acme' }, { vendor: 'acme', 'log.level': 'z' }] }] });
  const e = engineOf(rule('lvl', 'sel: {log.level: x}\ncondition: sel'), { pipeline: pipe });
  assert.deepEqual(pipe.routeFields, ['vendor', 'log.level']);
  // both events have the same route (no 'log.level' key of their own); the first would rule the rule out
  const a: Event = { vendor: 'acme', platform: 'ios', kind: 'system', log: { level: 'y' } };
  const b: Event = { vendor: 'acme', platform: 'ios', kind: 'system', log: { level: 'x' } };
  assert.deepEqual(e.process(a).map((m) => m.rule.name), []);
  assert.deepEqual(e.process(b).map((m) => m.rule.name), ['lvl']);
});

/** Every corpus syslog line, bench/hunt's message types, and the message ids the shipped device rules name. */
function lines(): string[] {
  const dir = corpusPath('syslog');
  const out: string[] = [];
  for (const f of readdirSync(dir).filter((x) => /\.(log|txt|ini)$/.test(x)).sort()) {
    for (const l of readFileSync(join(dir, f), 'utf8').split('\n')) if (l.trim()) out.push(l.replace(/%%/g, '%'));
  }
  out.push(
    '<189>1234567: pe1-nyc: Nov 23 00:00:01.123 UTC: %LINEPROTO-5-UPDOWN: Line protocol on Interface GigabitEthernet0/0/1, changed state to down',
    '<190>Nov 23 00:00:01 pe1-nyc 123456: Nov 23 00:00:01.123: %SEC-6-IPACCESSLOGP: list EDGE-IN denied tcp 11.2.3.4(5555) -> 10.1.2.3(23), 1 packet',
    '<189>pe1-nyc: Nov 23 00:00:01.123 UTC: %BGP-5-ADJCHANGE: neighbor 10.1.2.3 Down BGP Notification sent',
    '<189>pe1-nyc: Nov 23 00:00:01.123 UTC: %SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: alice] [Source: 10.1.2.3] [localport: 22] at 00:00:01 UTC Mon Nov 23 2026',
    '<188>pe1-nyc: Nov 23 00:00:01.123 UTC: %SEC_LOGIN-4-LOGIN_FAILED: Login failed [user: bob] [Source: 10.1.2.4] [localport: 22] [Reason: Login Authentication Failed] at 00:00:01 UTC Tue Nov 23 2026',
    'Nov 23 00:00:01 fw15-sea rpd[676]: BGP_IO_ERROR_CLOSE_SESSION: BGP peer 10.132.19.227 (External AS 65301): Error event Operation timed out(60) for I/O session - closing it',
    '<189>leaf3-dal: 2026 Nov 23 00:00:01 UTC: %SECURITYD-6-USERNAME_CONFIGURATION: User eve is added to the local database',
    '<189>pe1-nyc: Nov 23 00:00:01.123 UTC: %AAA-6-USER_ADDED: user eve added',
    '<190>Nov 23 00:00:01 p2-chi RP/0/RP0/CPU0:Nov 23 00:00:01.123 UTC: exec[1234]: %SECURITY-LOGIN-6-RUN_LOGIN : User \'eve\' entered linux shell',
    '<189>pe1-nyc: Nov 23 00:00:01.123 UTC: %SYS-6-LOGGINGHOST_STARTSTOP: Logging to host 10.1.1.1 port 514 stopped - CLI initiated',
    '<189>pe1-nyc: Nov 23 00:00:01.123 UTC: %VMAN-5-PACKAGE_SIGNING_LEVEL_ON_INSTALL: guestshell package signing level: cisco',
    '<189>pe1-nyc: Nov 23 00:00:01.123 UTC: %WEBUI-6-INSTALL_OPERATION_INFO: User: cisco_tac_admin, Install Operation: ADD implant.bin',
    '<189>pe1-nyc: Nov 23 00:00:01.123 UTC: %SYS-5-CONFIG_P: Configured programmatically by process SEP_webui_wsma_http from console as cisco_tac_admin on vty0',
    '<189>pe1-nyc: Nov 23 00:00:01.123 UTC: %SEC_LOGIN-5-WEBLOGIN_SUCCESS: Login Success [user: cisco_tac_admin] [Source: 1.2.3.4] [localport: 21111] at 00:00:01 UTC Mon Nov 23 2026',
  );
  return out;
}

test('with the shipped pipeline and all rules, the plans leave out only rules that cannot match, and the engine reports what every rule\'s own test says (corpus lines)', () => {
  const S = corpusPath('sigma');
  const hunt = new HuntEngine({ rules: [join(REPO_ROOT, 'rules', 'sigma'), join(S, 'rules'), join(S, 'rules-emerging-threats'), join(S, 'rules-threat-hunting')] });
  const sigma = hunt.sigma;
  assert.equal(sigma.ruleCount, 161);
  const ctx = new EvalCtx({});
  let events = 0, leftOut = 0, leftOutMatched = 0, matchedOnOwnRoute = 0;
  const ref = Date.UTC(2026, 10, 23);
  for (const line of lines()) {
    const ev = parseEvent(line, { refMs: ref });
    if (typeof ev === 'string' || typeof ev.platform !== 'string') continue;
    events++;
    const plan = new Set(planTitles(sigma, ev));
    const want: string[] = [];
    for (const r of sigma.rules) {
      if (!r.selectors.some((s) => s.matches(ev))) continue;
      ctx.reset(ev);
      const hit = r.test(ctx);
      ctx.reset(ev);
      if (r.onRoute(ctx) === NO) {
        leftOut++;
        if (hit) leftOutMatched++;
        assert.ok(!plan.has(r.meta.name ?? ''), `${r.meta.title} left out but in the plan`);
      } else if (hit && r.meta.name && /USER_ADDED|USERNAME_CONFIGURATION|RUN_LOGIN|LOGGINGHOST|VMAN|WEBUI|CONFIG_P/.test(String(ev.mnemonic))) matchedOnOwnRoute++;
      if (hit && r.alerts) want.push(r.meta.title);
    }
    const got = hunt.sigma.process(ev).filter((m) => m.kind === 'detection').map((m) => m.rule.title);
    assert.deepEqual(got, want, line);
  }
  assert.ok(events > 400, `${events} events`);
  // sound, and not vacuous: rules are left out of routes, and the rules keyed on message ids still match on theirs
  assert.equal(leftOutMatched, 0);
  assert.ok(leftOut > 1500, `${leftOut} rules left out`);
  assert.ok(matchedOnOwnRoute >= 6, `${matchedOnOwnRoute} matches on the rules' own routes`);
});
