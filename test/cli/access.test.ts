import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../corpus.js';
import { generateAccessActivity, scoreAccessAlerts, writeAccessActivity, type PlantedAccessAbuse } from '../../src/drill/access-activity.js';
import { ACCESS_ALERT_KINDS } from '../../src/model/access.js';

const CLI = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const FIX = join(REPO_ROOT, 'test', 'fixtures', 'access');

function tw(args: string[], cwd: string) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd, timeout: 120_000, maxBuffer: 64 << 20 });
}

test('access learn stores models, access check prints the JSON Lines contract and exits 1 on findings', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-cli-access-'));
  const act = generateAccessActivity({ seed: 9, operators: 14, history_days: 42, days: 14, plants_per_kind: 2 });
  const p = await writeAccessActivity(dir, act);
  const learn = tw(['access', 'learn', '--data', join(dir, 'data'), '--format', 'json', '--history', p.history], dir);
  assert.equal(learn.status, 0, learn.stderr);
  const summary = JSON.parse(learn.stdout);
  assert.equal(summary.operators, new Set(act.history.map((e) => e.operator)).size);
  assert.equal(summary.events, act.history.length);
  assert.ok(summary.profiles[0].usual_hours.startsWith('usually'));

  const check = tw(['access', 'check', '--data', join(dir, 'data'), '--site', p.site, '--warrants', p.warrants, '--format', 'jsonl', p.activity], dir);
  assert.equal(check.status, 1, check.stderr);
  const recs = check.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.ok(recs.length >= act.truth.length);
  for (const r of recs) {
    assert.ok((ACCESS_ALERT_KINDS as readonly string[]).includes(r.kind as string));
    assert.ok(['info', 'low', 'medium', 'high', 'critical'].includes(r.severity as string));
    assert.ok(Array.isArray(r.reasons) && (r.reasons as string[]).length > 0 && (r.reasons as string[]).every((s) => /\.$/.test(s)));
    assert.equal(typeof r.operator, 'string');
    assert.match(r.time as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const s = r.source as { file: string; line?: number; lines?: number[] };
    assert.equal(s.file, p.activity);
    assert.ok(r.kind === 'behaviour_anomaly' || r.kind === 'failed_login_burst' ? Array.isArray(s.lines) : Number.isInteger(s.line), JSON.stringify(r));
  }
  const truth = readFileSync(p.truth, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as PlantedAccessAbuse);
  for (const s of scoreAccessAlerts(truth, recs as { kind: string }[])) assert.equal(s.recall, 1, `${s.kind} recall through the CLI`);

  // the same activity without the planted lines and without models: only rules, nothing found
  const clean = act.events.filter((_, i) => !truth.some((t) => t.lines.includes(i + 1)) && !(act.events[i].action === 'admin_change' && act.events[i].change === 'disable_account'));
  const cleanFile = join(dir, 'clean.jsonl');
  writeFileSync(cleanFile, clean.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const none = tw(['access', 'check', '--no-models', '--site', p.site, '--warrants', p.warrants, cleanFile], dir);
  assert.equal(none.status, 0, none.stdout + none.stderr);
  assert.match(none.stderr, /0 alerts/);
});

test('access check reads a vendor CSV through a shipped mapping and renders a table', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-cli-access-'));
  const r = tw(['access', 'check', '--no-models', '--mapping', 'cdr-vendor-csv', '--site', join(FIX, 'site.yml'), '--warrants', join(FIX, 'warrants.csv'), join(FIX, 'cdr-vendor.csv')], dir);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /^TIME +KIND +SEVERITY +OPERATOR +SOURCE +REASON/);
  assert.match(r.stdout, /bulk_export +high +jdoe/);
  assert.match(r.stdout, /privilege_change +high +root/);
  assert.match(r.stdout, /undeclared_source +high +root/);
  assert.match(r.stderr, /cdr-vendor\.csv:9: expected 12 columns, found 6/);
});

test('access exit status 2: missing input, unknown mapping, broken warrant register, a file nothing maps from', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-cli-access-'));
  const bad = join(dir, 'warrants.json');
  writeFileSync(bad, '[{"case_ref":"A","targets":[]}]');
  const cases: [string[], RegExp][] = [
    [['access', 'check', '--no-models', join(dir, 'nope.jsonl')], /nope\.jsonl: no such file/],
    [['access', 'check', '--no-models', '--mapping', 'no-such-product', join(FIX, 'etsi-audit.jsonl')], /mapping error: .*not found/],
    [['access', 'check', '--no-models', '--warrants', bad, join(FIX, 'etsi-audit.jsonl')], /warrant register: .*entry 0 \(A\): no targets/],
    [['access', 'check', '--no-models', '--format', 'jsonl', join(FIX, 'etsi-audit.jsonl')], /no row of .*etsi-audit\.jsonl maps onto the access model/],
    [['access', 'learn', '--data', dir, '--history', join(FIX, 'cdr-vendor.csv')], /no row of .* maps/],
  ];
  for (const [args, msg] of cases) {
    const r = tw(args, dir);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, msg);
    assert.equal(r.stdout, '', 'nothing on stdout');
  }
});
