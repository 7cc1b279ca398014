import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { generateDataset } from '../../src/drill/generate.js';
import { loadScenario, listScenarios, scenarioFromObject, ScenarioError, parseDuration } from '../../src/drill/scenario.js';
import { loadSite } from '../../src/site/load.js';
import { REPO_ROOT } from '../corpus.js';

const techniques = Object.keys((parseYaml(readFileSync(join(REPO_ROOT, 'rules/attack/techniques.yml'), 'utf8')) as { techniques: Record<string, unknown> }).techniques);

function walk(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p, base) : [p.slice(base.length + 1)];
  });
}

function digest(dir: string): string {
  const h = createHash('sha256');
  for (const f of walk(dir).sort()) h.update(f).update(readFileSync(join(dir, f)));
  return h.digest('hex');
}

interface Truth { time: string; device: string; stream: string; technique: string; lines: { file: string; line: number }[] }

test('generate: the loud scenario plants every step in the streams that carry it, with exact lines', async () => {
  const out = mkdtempSync(join(tmpdir(), 'tw-drill-'));
  const r = await generateDataset({ seed: '11', scenario: 'loud', devices: 10, days: 6, out });
  assert.equal(r.scenario, 'loud');
  const truth = readFileSync(join(out, 'truth.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Truth);
  assert.equal(truth.length, r.planted);
  assert.ok(truth.length >= 25, `expected the loud campaign to plant at least 25 actions, got ${truth.length}`);
  const cache = new Map<string, string[]>();
  for (const t of truth) {
    assert.deepEqual(Object.keys(t).slice(0, 5), ['time', 'device', 'stream', 'technique', 'lines']);
    assert.ok(techniques.includes(t.technique), `${t.technique} is not in rules/attack/techniques.yml`);
    assert.match(t.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(t.lines.length > 0);
    for (const l of t.lines) {
      if (l.file.endsWith('.pcap')) continue;
      let lines = cache.get(l.file);
      if (!lines) {
        lines = readFileSync(join(out, l.file), 'utf8').split('\n');
        cache.set(l.file, lines);
      }
      assert.ok(l.line >= 1 && l.line <= lines.length && lines[l.line - 1].length > 0, `${l.file}:${l.line} does not exist`);
    }
  }
  const lineOf = (t: Truth) => t.lines.map((l) => cache.get(l.file)?.[l.line - 1] ?? '').join('\n');
  const by = (tech: string, stream: string) => truth.filter((t) => t.technique === tech && t.stream === stream);
  // the exploitation shows in the device's syslog with the web UI's process name
  assert.match(lineOf(by('T1190', 'syslog')[0]), /SEP_webui_wsma_http/);
  // the new account is in the config snapshot and the ACL permit names the intruder's address
  assert.match(lineOf(by('T1136.001', 'config')[0]), /^username cisco_tac_admin privilege 15 secret 9 /m);
  assert.match(lineOf(by('T1562.004', 'config')[0]), /permit 167\.88\.173\.252/);
  assert.match(lineOf(by('T1572', 'config')[0]), /tunnel destination 23\.227\.202\.253/);
  assert.match(lineOf(by('T1040', 'tacacs')[0]), /cmd=monitor capture tac match ipv4 protocol tcp any any eq 49 <cr>/);
  assert.match(lineOf(by('T1602.002', 'tacacs')[0]), /copy running-config tftp:\/\/45\.61\.151\.12\//);
  assert.match(lineOf(by('T1213', 'access')[0]), /"action":"search"/);
  // planted searches name targets no warrant covers
  const warrants = JSON.parse(readFileSync(join(out, 'access/warrants.json'), 'utf8')) as { targets: string[] }[];
  const covered = new Set(warrants.flatMap((w) => w.targets));
  for (const l of lineOf(by('T1213', 'access')[0]).split('\n')) for (const tg of (JSON.parse(l) as { targets: string[] }).targets) assert.ok(!covered.has(tg));
  // the site file loads and lists every device
  const site = loadSite(join(out, 'tidewatch.yml'));
  assert.equal(site.devices.length, 10);
  assert.ok(site.access.operators.some((o) => o.status === 'disabled'));
  // every platform is present
  const platforms = new Set(site.devices.map((d) => d.platform));
  for (const p of ['iosxe', 'iosxr', 'nxos', 'junos', 'eos']) assert.ok(platforms.has(p), `no ${p} device`);
});

test('generate: one seed gives the same dataset; another seed a different one; none plants nothing', async () => {
  const a = mkdtempSync(join(tmpdir(), 'tw-drill-a-'));
  const b = mkdtempSync(join(tmpdir(), 'tw-drill-b-'));
  const c = mkdtempSync(join(tmpdir(), 'tw-drill-c-'));
  await generateDataset({ seed: '5', scenario: 'none', devices: 6, days: 3, out: a });
  await generateDataset({ seed: '5', scenario: 'none', devices: 6, days: 3, out: b });
  await generateDataset({ seed: '6', scenario: 'none', devices: 6, days: 3, out: c });
  assert.equal(digest(a), digest(b));
  assert.notEqual(digest(a), digest(c));
  assert.equal(readFileSync(join(a, 'truth.jsonl'), 'utf8'), '');
  // normal activity is there: logins from jump hosts, TACACS+ accounting, access logins
  assert.match(readFileSync(join(a, 'tacacs/tac_plus.acct'), 'utf8'), /\tstart\ttask_id=\d+/);
  const syslog = walk(join(a, 'syslog'));
  assert.equal(syslog.length, 6);
});

test('scenarios: shipped ones load, bad ones are refused with the file and the reason', () => {
  const names = listScenarios();
  for (const n of ['loud', 'moderate', 'quiet']) assert.ok(names.includes(n), `rules/drills/${n}.yml missing`);
  const stealth = new Set(names.map((n) => loadScenario(n).stealth));
  assert.deepEqual([...stealth].sort(), ['loud', 'moderate', 'quiet']);
  assert.equal(parseDuration('1d2h30m'), ((24 + 2) * 60 + 30) * 60_000);
  assert.equal(parseDuration('soon'), undefined);
  const base = { stealth: 'loud', actor: { addresses: ['192.0.2.1'] } };
  assert.throws(() => scenarioFromObject({ ...base, steps: [{ action: 'teleport' }] }, 'x.yml'), (e: Error) => e instanceof ScenarioError && /x\.yml: steps\[0\]: unknown action "teleport"/.test(e.message));
  assert.throws(() => scenarioFromObject({ ...base, steps: [{ action: 'login', at: 'later' }] }, 'x.yml'), /duration/);
  assert.throws(() => scenarioFromObject({ ...base, steps: [{ action: 'login', on: 'nope' }] }, 'x.yml'), /earlier step id/);
  assert.throws(() => scenarioFromObject({ stealth: 'loud', actor: { addresses: ['not-an-ip'] }, steps: [{ action: 'login' }] }, 'x.yml'), /not an IP address/);
  assert.throws(() => scenarioFromObject({ ...base, start: { at: 0.1 }, steps: [{ action: 'login' }] }, 'x.yml'), /learning history/);
});

test('scenarios: a target platform list is an order of preference (moderate on a carrier without an NX-OS aggregation switch)', async () => {
  const base = { stealth: 'loud', actor: { addresses: ['192.0.2.1'] } };
  const sc = scenarioFromObject({ ...base, steps: [{ action: 'login', target: { role: 'aggregation', platform: ['nxos', 'eos'] } }] }, 'x.yml');
  assert.deepEqual(sc.steps[0].target?.platform, ['nxos', 'eos']);
  assert.throws(() => scenarioFromObject({ ...base, steps: [{ action: 'login', target: { platform: ['nxos', 'vax'] } }] }, 'x.yml'), /target\.platform must be one of .*order of preference/);
  assert.throws(() => scenarioFromObject({ ...base, steps: [{ action: 'login', target: { platform: [] } }] }, 'x.yml'), /target\.platform/);
  // seed 7 with 24 devices draws no NX-OS aggregation switch: the moderate campaign's hop goes to its next choice
  const out = mkdtempSync(join(tmpdir(), 'tw-gen-moderate-'));
  const r = await generateDataset({ seed: '7', scenario: 'moderate', devices: 24, days: 4, out });
  const site = loadSite(join(out, 'tidewatch.yml'));
  const devs = site.devices as { name: string; role?: string; platform?: string }[];
  assert.ok(!devs.some((d) => d.role === 'aggregation' && d.platform === 'nxos'), 'the case this test is about: no NX-OS aggregation switch');
  const truth = readFileSync(join(out, 'truth.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Truth & { action: string });
  const mirror = truth.find((t) => t.action === 'traffic_mirror');
  assert.ok(mirror, 'the traffic mirror is planted');
  const on = devs.find((d) => d.name === mirror.device);
  assert.equal(on?.role, 'aggregation');
  assert.equal(on?.platform, 'eos');
  assert.ok(r.planted > 20);
});
