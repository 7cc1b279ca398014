// The SigmaHQ corpus: every rule loads or is rejected with a reason the spec supports; the regression sample.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { corpusPath } from '../../corpus.js';
import { HuntEngine, findRuleFiles, huntFiles } from '../../../src/pipeline/hunt.js';
import { formatProblem } from '../../../src/detectors/sigma/index.js';
import { parseLine } from '../../../src/parsers/index.js';
import { alertRecord } from '../../../src/cli/hunt.js';

const ROOT = corpusPath('sigma');
const RULE_DIRS = ['rules', 'rules-emerging-threats', 'rules-threat-hunting'].map((d) => join(ROOT, d));

/** Reasons the spec supports for refusing a rule (sigma-spec sections 1-10 and the decisions of section 11). */
const SPEC_REASONS = /missing 'title'|must be a UUID|'status' must be|'level' must be|must be a date|related type|namespace\.value|needs at least one of|no search identifiers|unknown modifier|must come first|only allowed after 're'|must come before|takes true or false|takes a number|needs a field name|host bits|placeholder|may not contain wildcards|lower-case|correlation rules|near|matches no search identifier|not a search identifier|invalid pattern|duplicate key|collection action|regular expression|taxonomy|is already used/;

test('SigmaHQ corpus: every rule loads or is rejected with a spec reason; counts printed', () => {
  const files = findRuleFiles(RULE_DIRS);
  const engine = new HuntEngine({ rules: RULE_DIRS });
  const loaded = engine.sigma.ruleCount;
  const rejected = new Set(engine.errors.map((e) => e.file));
  console.log(`sigma corpus: ${files.length} rule files, ${loaded} loaded, ${rejected.size} rejected, ${engine.warnings.length} warnings, ${engine.sigma.unrouted.length} with a logsource no Tidewatch parser produces (they run on JSON Lines events)`);
  for (const e of engine.errors) console.log('  rejected: ' + formatProblem(e));
  assert.equal(files.length, 121, 'the corpus holds 121 rules');
  assert.equal(loaded + rejected.size, files.length, 'every rule is accounted for');
  for (const e of engine.errors) assert.match(e.reason, SPEC_REASONS, formatProblem(e));
  assert.ok(loaded >= 115, `${loaded} rules loaded`);
});

test('SigmaHQ regression sample: the Dot1x rule matches its raw line exactly once', () => {
  const dir = join(ROOT, 'regression_data/rules/cisco/aaa/cisco_cli_dot1x_disabled');
  const raw = readdirSync(dir).find((f) => f.endsWith('.raw'));
  assert.ok(raw);
  const line = readFileSync(join(dir, raw), 'utf8').trim();
  const engine = new HuntEngine({ rules: [join(ROOT, 'rules/network/cisco/aaa/cisco_cli_dot1x_disabled.yml')] });
  assert.deepEqual(engine.errors, []);
  const ev = parseLine(line, {}).event;
  assert.ok(ev);
  const alerts = engine.process(ev, { file: raw, line: 1 });
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0].rule.id, 'ef0ff092-a24a-4fbc-beea-06c08d53e085');
});

test('LIC-1/LIC-3 alerts from SigmaHQ rules carry author and id (jsonl record)', () => {
  const engine = new HuntEngine({ rules: [join(ROOT, 'rules/network/cisco/aaa')] });
  const ev = parseLine('<189>12: r1: Nov 23 03:04:05 UTC: %PARSER-5-CFGLOG_LOGGEDCMD: User:eve  logged command:username svc1 privilege 15 secret 5 $1$x$y', {}).event!;
  const alerts = engine.process(ev, { file: 'r1.log', line: 7 });
  const local = alerts.find((a) => a.rule.title === 'Cisco Local Accounts');
  assert.ok(local, 'Cisco Local Accounts fires');
  const rec = alertRecord(local, false) as { rule: { author: string; id: string }; source: { line: number }; event: { cmd: string } };
  assert.equal(rec.rule.author, 'Austin Clark');
  assert.equal(rec.rule.id, '6d844f0f-1c18-41af-8f19-33e7654edfc3');
  assert.equal(rec.source.line, 7);
  assert.match(rec.event.cmd, /secret 5 <redacted>/);
  assert.deepEqual(local.attack, ['T1136.001', 'T1098']);
});

test('SigmaHQ Cisco AAA rules run on TACACS+ accounting and device syslog through the pipeline', async () => {
  const engine = new HuntEngine({ rules: [join(ROOT, 'rules/network/cisco/aaa')] });
  const titles = (line: string) => engine.process(parseLine(line, {}).event!).map((a) => a.rule.title).sort();
  assert.ok(titles('Nov 23 03:04:05\t10.1.1.1\teve\ttty2\t203.0.113.7\tstop\ttask_id=5\tservice=shell\tpriv-lvl=15\tcmd=monitor capture point ip cef CAP gi0/0 both <cr>').includes('Cisco Sniffing'));
  assert.ok(titles('<189>1: r1: Nov 23 03:04:05 UTC: %PARSER-5-CFGLOG_LOGGEDCMD: User:eve  logged command:no logging console').includes('Cisco Disabling Logging'));
  assert.ok(titles('<86>Nov 23 03:04:05 tacsrv tac_plus[812]: 10.1.1.2 eve tty3 10.0.0.9 stop task_id=9 service=shell cmd=clear logging <cr>').includes('Cisco Clear Logs'));
  assert.deepEqual(titles('<189>1: r1: Nov 23 03:04:05 UTC: %LINK-3-UPDOWN: Interface Gi0/1, changed state to down'), [], 'interface syslog is not cisco/aaa');
  // and over the real syslog corpus files through huntFiles
  let n = 0;
  const sum = await huntFiles([corpusPath('syslog', 'nxos__elastic-integrations__test-nexus.log')], { engine, onAlert: () => { n++; } });
  assert.equal(sum.events, 72);
  assert.equal(sum.alerts, n);
  assert.ok(n >= 2, 'NX-OS accounting records hit the AAA keyword rules');
});
