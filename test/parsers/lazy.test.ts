import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusPath } from '../corpus.js';
import { parseEvent, completeEvent, LAZY_ROUTE_FIELDS } from '../../src/parsers/index.js';
import type { ParseContext, Platform } from '../../src/parsers/index.js';
import { extractorEntries, routeKindOf } from '../../src/parsers/syslog/cisco.js';
import type { Event } from '../../src/model/event.js';
import { HuntEngine, huntFiles } from '../../src/pipeline/hunt.js';
import type { Alert } from '../../src/model/alert.js';

const REF = Date.UTC(2026, 10, 23);
const DIR = corpusPath('syslog');

/** Every corpus syslog line, and lines shaped like bench/hunt's (every message type it generates). */
function lines(): string[] {
  const out: string[] = [];
  for (const f of readdirSync(DIR).filter((x) => /\.(log|txt|ini)$/.test(x)).sort()) {
    for (const l of readFileSync(join(DIR, f), 'utf8').split('\n')) if (l.trim()) out.push(l.replace(/%%/g, '%'));
  }
  out.push(
    '<189>1234567: pe1-nyc: Nov 23 00:00:01.123 UTC: %LINEPROTO-5-UPDOWN: Line protocol on Interface GigabitEthernet0/0/1, changed state to down',
    '<190>Nov 23 00:00:01 pe1-nyc 123456: Nov 23 00:00:01.123: %SEC-6-IPACCESSLOGP: list EDGE-IN denied tcp 11.2.3.4(5555) -> 10.1.2.3(23), 1 packet',
    '<189>pe1-nyc: Nov 23 00:00:01.123 UTC: %BGP-5-ADJCHANGE: neighbor 10.1.2.3 Down BGP Notification sent',
    '<189>1234567: pe1-nyc: Nov 23 00:00:01.123 UTC: %PARSER-5-CFGLOG_LOGGEDCMD: User:netops  logged command:show running-config',
    '<189>pe1-nyc: Nov 23 00:00:01.123 UTC: %SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: alice] [Source: 10.1.2.3] [localport: 22] at 00:00:01 UTC Mon Nov 23 2026',
    '<188>pe1-nyc: Nov 23 00:00:01.123 UTC: %SEC_LOGIN-4-LOGIN_FAILED: Login failed [user: bob] [Source: 10.1.2.4] [localport: 22] [Reason: Login Authentication Failed] at 00:00:01 UTC Tue Nov 23 2026',
    '<189>pe1-nyc: Nov 23 00:00:01.123 UTC: %SYS-5-CONFIG_I: Configured from console by carol on vty2 (10.9.8.7)',
    '<190>Nov 23 00:00:01 p2-chi RP/0/RP0/CPU0:Nov 23 00:00:01.123 UTC: bgp[1234]: %ROUTING-BGP-5-ADJCHANGE : neighbor 10.1.2.3 Up (VRF: default) (AS: 65001)',
    '<189>leaf3-dal: 2026 Nov 23 00:00:01 UTC: %ETHPORT-5-IF_DOWN_LINK_FAILURE: Interface Ethernet1/7 is down (Link failure)',
    'Nov 23 00:00:01 agg4-sea Aaa: %ACCOUNTING-6-CMD: netops vty3 10.1.2.3 stop task_id=17 start_time=1763856000.0 timezone=UTC service=shell priv-lvl=15 cmd=show version <cr>',
    'Nov 23 2026 00:00:01 fw5-nyc : %ASA-6-302013: Built inbound TCP connection 123 for outside:11.2.3.4/5555 (11.2.3.4/5555) to inside:10.1.2.3/443 (10.1.2.3/443)',
    '<189>1234567: pe1-nyc: Nov 23 00:00:01.123 UTC: %SYS-5-CONFIG_I: Configured from console by carol on vty2 (10.9.8.7)',
    '<189>pe1-nyc: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to up',
    '<189>pe1-nyc: Nov 23 00:00:01.123 UTC: %SSH-5-SSH2_USERAUTH: User \'alice\' authentication for SSH2 Session from 10.1.2.3 (tty = 0) using crypto cipher \'aes\', hmac \'sha1\' Succeeded',
  );
  return out;
}

function same(lazy: Event, eager: Event, line: string): void {
  assert.equal(JSON.stringify(lazy), JSON.stringify(eager), `lazy parse of ${line}`);
  assert.deepEqual(Object.keys(lazy), Object.keys(eager), `field order of ${line}`);
}

test('lazy parse: routing fields set before completion, and completed events equal full parses (corpus and bench lines)', () => {
  let deferred = 0;
  const all = lines();
  for (const platform of [undefined, 'ios', 'eos', 'nxos'] as (Platform | undefined)[]) {
    for (const line of all) {
      const eager = parseEvent(line, { refMs: REF, platform });
      const ctx: ParseContext = { refMs: REF, platform, lazy: true };
      const lazy = parseEvent(line, ctx);
      if (typeof eager === 'string') { assert.equal(lazy, eager, line); continue; }
      assert.ok(typeof lazy !== 'string', line);
      if (lazy.message === undefined && eager.message !== undefined) deferred++;
      for (const f of LAZY_ROUTE_FIELDS) assert.deepEqual(lazy[f], eager[f], `${f} before completion: ${line}`);
      completeEvent(lazy);
      same(lazy, eager, line);
      // a second completion does nothing
      completeEvent(lazy);
      same(lazy, eager, line);
    }
  }
  // the bench-like lines alone defer ten of theirs
  assert.ok(deferred >= 40, `deferred ${deferred}`);
});

test('lazy parse: an event completed after the next line was parsed is not completed with that line', () => {
  const ctx: ParseContext = { refMs: REF, lazy: true };
  const a = parseEvent('<189>pe1-nyc: Nov 23 00:00:01.123 UTC: %BGP-5-ADJCHANGE: neighbor 10.1.2.3 Up', ctx) as Event;
  const b = parseEvent('<189>pe1-nyc: Nov 23 00:00:02.123 UTC: %BGP-5-ADJCHANGE: neighbor 10.1.2.4 Up', ctx) as Event;
  completeEvent(a); // the caller broke the contract: nothing happens to a
  assert.equal(a.message, undefined);
  completeEvent(b);
  assert.equal(b.neighbor, '10.1.2.4');
  assert.equal(b.time, '2026-11-23T00:00:02.123Z');
});

test('extractors run after routing set exactly the kind declared for them and no other routing field', () => {
  const samples = ['', 'x', 'Configured from console by a on vty0 (10.0.0.1)', 'Login failed [user: a] [Source: 10.0.0.1]',
    'list 1 denied tcp 1.2.3.4(1) -> 5.6.7.8(23), 1 packet', 'User:a  logged command:show run', 'neighbor 10.0.0.1 Up',
    "User 'a' authentication for SSH2 Session from 10.0.0.1 (tty = 0) Failed", 'start:10.0.0.1@vty0:a:show run (SUCCESS)'];
  let declared = 0;
  for (const [key, x] of extractorEntries()) {
    const kind = routeKindOf(x);
    if (kind === undefined) continue;
    declared++;
    for (const msg of samples) {
      const ev: Event = { program: 'p', mnemonic: 'M', vendor: 'cisco', platform: 'ios', facility: 23, severity: 5, host: 'h', kind: undefined };
      x(msg, ev);
      assert.equal(ev.kind, kind === null ? undefined : kind, `${key} on '${msg}'`);
      for (const f of LAZY_ROUTE_FIELDS) if (f !== 'kind') assert.deepEqual(ev[f], ({ program: 'p', mnemonic: 'M', vendor: 'cisco', platform: 'ios', facility: 23, severity: 5, host: 'h' } as Event)[f], `${key} changed ${f}`);
    }
  }
  assert.ok(declared >= 40, `declared ${declared}`);
  // the ones that decide the kind from the text are not declared
  const undeclared = extractorEntries().filter(([, x]) => routeKindOf(x) === undefined).map(([k]) => k);
  for (const k of ['AAA-AAA_ACCOUNTING_MESSAGE', 'ACCOUNTING-CMD', 'HA_EM-LOG', 'AUTHPRIV-SYSTEM_MSG', 'KERN-SYSTEM_MSG']) assert.ok(undeclared.includes(k), k);
});

test('hunt over one file (lazy parse) gives the alerts of the events parsed in full', async () => {
  const all = lines();
  // a burst of failed logins so correlations fire too
  for (let i = 0; i < 12; i++) all.push(`<188>pe1-nyc: Nov 23 00:01:${String(10 + i).padStart(2, '0')}.000 UTC: %SEC_LOGIN-4-LOGIN_FAILED: Login failed [user: bob] [Source: 10.1.2.4] [localport: 22] [Reason: Login Authentication Failed] at 00:01:10 UTC Tue Nov 23 2026`);
  all.push('<189>pe1-nyc: Nov 23 00:01:30.123 UTC: %SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: bob] [Source: 10.1.2.4] [localport: 22] at 00:01:30 UTC Mon Nov 23 2026');
  all.push('<189>1234567: pe1-nyc: Nov 23 00:01:31.123 UTC: %PARSER-5-CFGLOG_LOGGEDCMD: User:bob  logged command:monitor capture mycap start');
  const dir = mkdtempSync(join(tmpdir(), 'tw-lazy-'));
  const file = join(dir, 'in.log');
  writeFileSync(file, all.join('\n') + '\n');
  const lazyEngine = new HuntEngine();
  const got: Alert[] = [];
  const sum = await huntFiles([file], { engine: lazyEngine, onAlert: (a) => { got.push(a); } });
  assert.ok(lazyEngine.sigma.lazyRouting(LAZY_ROUTE_FIELDS));
  // the same lines, parsed in full, one by one
  const fullEngine = new HuntEngine();
  const want: Alert[] = [];
  const { statSync } = await import('node:fs');
  const ctx: ParseContext = { file, refMs: statSync(file).mtimeMs };
  let events = 0;
  all.forEach((l, i) => {
    const ev = parseEvent(l, ctx);
    if (typeof ev === 'string') return;
    events++;
    want.push(...fullEngine.process(ev, { file, line: i + 1 }));
  });
  want.push(...fullEngine.flush());
  assert.equal(sum.events, events);
  assert.ok(want.length >= 5, `alerts ${want.length}`);
  assert.ok(want.some((a) => a.correlation), 'a correlation fired');
  // an event without a time gets the run's time (and an id made with it)
  const stable = (as: Alert[]) => JSON.stringify(as.map((a) => (a.event?.time === undefined ? { ...a, id: '', time: '' } : a)));
  assert.equal(stable(got), stable(want));
  assert.deepEqual(lazyEngine.sigma.stats, fullEngine.sigma.stats);
});

test('lazy parse of a cut (oversized) line: completed before it is flagged, so `truncated` stays the last field', async () => {
  const { parseFileEach, parseFile, newCounters } = await import('../../src/pipeline/parse.js');
  const dir = mkdtempSync(join(tmpdir(), 'tw-lazy-cut-'));
  const file = join(dir, 'in.log');
  const long = '<189>pe1-nyc: Nov 23 00:00:01.123 UTC: %LINEPROTO-5-UPDOWN: Line protocol on Interface GigabitEthernet0/0/1, changed state to down ' + 'x'.repeat(70000);
  writeFileSync(file, `${long}\n<189>pe1-nyc: Nov 23 00:00:02.123 UTC: %BGP-5-ADJCHANGE: neighbor 10.1.2.3 Up\n`);
  const lazy: Event[] = [];
  await parseFileEach(file, { lazy: true }, newCounters(), (ev) => { if (ev) { completeEvent(ev); lazy.push(ev); } return undefined; });
  const eager: Event[] = [];
  for await (const b of parseFile(file, {})) for (const it of b) if (it.event) eager.push(it.event);
  assert.equal(lazy.length, 2);
  assert.equal(eager[0].truncated, true);
  assert.equal(JSON.stringify(lazy), JSON.stringify(eager));
});

test('HuntEngine.processAt: the alerts of process(ev, { file, line }); source refs for detectors; no alert, shared empty result', () => {
  const ctx: ParseContext = { file: 'in.log', refMs: Date.parse('2026-12-07T00:00:00Z') };
  const all = lines();
  for (let i = 0; i < 12; i++) all.push(`<188>pe1-nyc: Nov 23 00:01:${String(10 + i).padStart(2, '0')}.000 UTC: %SEC_LOGIN-4-LOGIN_FAILED: Login failed [user: bob] [Source: 10.1.2.4] [localport: 22] [Reason: Login Authentication Failed] at 00:01:10 UTC Tue Nov 23 2026`);
  const seen: unknown[] = [];
  const withDet = new HuntEngine({ detectors: [(_ev, src) => { seen.push(src); return []; }] });
  const at = new HuntEngine(), ref = new HuntEngine();
  const got: Alert[] = [], want: Alert[] = [];
  let none = 0;
  all.forEach((l, i) => {
    const ev = parseEvent(l, ctx), ev2 = parseEvent(l, ctx), ev3 = parseEvent(l, ctx);
    if (typeof ev === 'string' || typeof ev2 === 'string' || typeof ev3 === 'string') return;
    const a = at.processAt(ev, 'in.log', i + 1);
    if (!a.length) {
      none++;
      assert.ok(Object.isFrozen(a), 'the empty result is the shared frozen array');
    }
    got.push(...a);
    want.push(...ref.process(ev2, { file: 'in.log', line: i + 1 }));
    withDet.processAt(ev3, 'in.log', i + 1);
    assert.deepEqual(seen.pop(), { file: 'in.log', line: i + 1 });
  });
  assert.ok(none > 0 && got.length > 0 && got.some((a) => a.correlation), `${got.length} alerts`);
  // an event without a time gets the run's time (and an id made with it)
  const stable = (as: Alert[]) => JSON.stringify(as.map((a) => (a.event?.time === undefined ? { ...a, id: '', time: '' } : a)));
  assert.equal(stable(got), stable(want));
  assert.ok(got.every((a) => a.source?.file === 'in.log' && typeof a.source.line === 'number'));
});
