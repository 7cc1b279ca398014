import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../corpus.js';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.js';
import { IncidentManager } from '../../src/correlation/manager.js';
import { Metrics } from '../../src/serve/metrics.js';
import { TokenStore } from '../../src/serve/tokens.js';
import { buildHttp } from '../../src/serve/http.js';
import type { Alert } from '../../src/model/alert.js';
import type { Incident } from '../../src/model/incident.js';
import { buildIncidentReport, renderIncidentReport, escapeHtml } from '../../src/sinks/incident-report.js';

const CLI = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const SCRIPT = '<script>alert("pwned")</script>';

/** Alerts of a small intrusion on one edge router; the syslog line carries a script tag, the config line a secret. */
function alerts(): Alert[] {
  return [
    {
      id: 'a-exploit', time: '2026-11-01T02:00:00.000Z', detector: 'sigma', severity: 'critical', attack: ['T1190'], device: 'edge1',
      rule: { id: 'webui-exploit', title: 'Web UI exploitation', level: 'critical', tags: ['attack.t1190'] },
      entities: { ips: ['45.61.151.12'], devices: ['edge1'] },
      source: { file: 'syslog/edge1.log', line: 42 },
      event: { time: '2026-11-01T02:00:00.000Z', host: 'edge1', raw: `<189>Nov  1 02:00:00 edge1 %WEBUI-6-INSTALL: request ${SCRIPT} from 45.61.151.12` },
      reasons: [`POST to /webui with ${SCRIPT}`],
    },
    {
      id: 'a-account', time: '2026-11-01T02:07:00.000Z', detector: 'audit', severity: 'high', attack: ['T1136.001'], device: 'edge1',
      rule: { id: 'DRIFT-LOCAL-ACCOUNT-UNAPPROVED', title: 'Drift: Local account not on the approved list', level: 'high', tags: [] },
      entities: { devices: ['edge1'], accounts: ['cisco_tac_admin'] },
      source: { file: 'configs/history/edge1/20261101T0207Z.cfg', line: 65 },
      event: { host: 'edge1', message: 'username cisco_tac_admin privilege 15 secret 0 Hunter2Secret' },
      remediation: 'no username cisco_tac_admin',
    },
    {
      id: 'a-tunnel', time: '2026-11-01T02:30:00.000Z', detector: 'flows', severity: 'critical', attack: ['T1572'], device: 'edge1',
      rule: { id: 'flows.tunnel', title: 'GRE tunnel to an undeclared peer', level: 'critical', tags: [] },
      entities: { ips: ['198.51.100.5', '23.227.202.253'], devices: ['edge1'] },
      source: { file: 'netflow:10.20.0.13' },
      event: { time: '2026-11-01T02:30:00.000Z', host: '10.20.0.13', src_ip: '198.51.100.5', dst_ip: '23.227.202.253', protocol: 47, bytes: 7500000, packets: 8333, src_port: 0, dst_port: 0 },
      reasons: ['gre flow 198.51.100.5 -> 23.227.202.253'],
    },
  ];
}

async function incidentIn(store: DuckDbStore): Promise<Incident> {
  const mgr = await IncidentManager.open(store);
  await mgr.ingest(alerts());
  const list = (await store.listIncidents({ limit: 10 })).items;
  assert.equal(list.length, 1, 'the three alerts on one device make one incident');
  return list[0];
}

/** Checks that every element is closed in order (void elements aside) and returns the element names seen. */
function checkWellFormed(html: string): string[] {
  const VOID = new Set(['meta', 'br', 'hr', 'img', 'link', 'input', 'col', 'wbr']);
  const stack: string[] = [];
  const seen: string[] = [];
  const body = html.replace(/^<!DOCTYPE html>\s*/i, '');
  assert.equal(body.length, html.length - '<!DOCTYPE html>\n'.length, 'starts with <!DOCTYPE html>');
  // no markup inside <style> but CSS; take it out first
  const noStyle = body.replace(/<style>[^<]*<\/style>/, '<style></style>');
  for (const m of noStyle.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-z-]+="[^"<>]*")*)\s*>|<|>/g)) {
    if (m[0] === '<') assert.fail(`a bare < at ${m.index}: ${noStyle.slice(m.index! - 40, m.index! + 40)}`);
    if (m[0] === '>') assert.fail(`a bare > at ${m.index}: ${noStyle.slice(m.index! - 40, m.index! + 40)}`);
    const name = m[2].toLowerCase();
    seen.push(name);
    if (VOID.has(name)) continue;
    if (m[1]) {
      const top = stack.pop();
      assert.equal(top, name, `</${name}> closes <${top}> at ${m.index}`);
    } else stack.push(name);
  }
  assert.deepEqual(stack, [], 'every element is closed');
  return seen;
}

test('incident report, html: one well-formed self-contained document, every value escaped, secrets redacted', async () => {
  const store = await DuckDbStore.open(':memory:');
  try {
    const inc = await incidentIn(store);
    const html = renderIncidentReport(inc, await store.getAlerts(inc.alert_ids), 'html', { generatedAt: '2026-11-02T00:00:00.000Z' });
    const names = checkWellFormed(html);
    assert.ok(!names.includes('script'), 'no script element');
    assert.ok(!/<script/i.test(html), 'the evidence script tag is inert');
    assert.ok(html.includes(escapeHtml(SCRIPT)), 'the script tag is shown as text');
    assert.ok(!/ (src|href)="/.test(html), 'no external resources');
    assert.ok(!html.includes('Hunter2Secret'), 'secret redacted');
    assert.match(html, /secret 0 &lt;redacted&gt;/);
    for (const id of ['summary', 'techniques', 'timeline', 'evidence', 'affected', 'remediation']) assert.match(html, new RegExp(`<section id="${id}">`));
    assert.match(html, /@media print/);
    // the flow record, the config line and the raw log line are the evidence
    assert.match(html, /gre 198\.51\.100\.5 -&gt; 23\.227\.202\.253, 7500000 bytes/);
    assert.match(html, /65: username cisco_tac_admin privilege 15/);
    assert.match(html, /no username cisco_tac_admin/);
    // shown secrets only when asked
    const shown = renderIncidentReport(inc, await store.getAlerts(inc.alert_ids), 'html', { showSecrets: true });
    assert.ok(shown.includes('Hunter2Secret'));
  } finally {
    await store.close();
  }
});

test('incident report, md and json: the timeline and the techniques in kill-chain order', async () => {
  const store = await DuckDbStore.open(':memory:');
  try {
    const inc = await incidentIn(store);
    const al = await store.getAlerts(inc.alert_ids);
    const r = buildIncidentReport(inc, al, { generatedAt: '2026-11-02T00:00:00.000Z' });
    // initial access before persistence before command and control
    assert.deepEqual(r.techniques.map((t) => t.technique), ['T1190', 'T1136.001', 'T1572']);
    assert.deepEqual(r.summary.tactics, ['initial-access', 'persistence', 'command-and-control']);
    assert.equal(r.techniques[0].first_seen, '2026-11-01T02:00:00.000Z');

    const json = JSON.parse(renderIncidentReport(inc, al, 'json'));
    assert.equal(json.report.incident, inc.id);
    assert.deepEqual(json.timeline.map((t: { alert_id: string }) => t.alert_id), ['a-exploit', 'a-account', 'a-tunnel']);
    assert.deepEqual(json.techniques.map((t: { technique: string }) => t.technique), ['T1190', 'T1136.001', 'T1572']);
    assert.deepEqual(json.affected.accounts, ['cisco_tac_admin']);
    assert.ok(!JSON.stringify(json).includes('Hunter2Secret'));
    assert.match(json.report.evidence_sha256, /^[0-9a-f]{64}$/);

    const md = renderIncidentReport(inc, al, 'md');
    const timeline = md.slice(md.indexOf('## Timeline'), md.indexOf('## Evidence'));
    const rows = timeline.split('\n').filter((l) => /^\| 2026-/.test(l));
    assert.equal(rows.length, 3);
    assert.match(rows[0], /02:00:00 \| critical \| edge1 \| Initial access \| T1190 \|/);
    assert.match(rows[2], /Command and control \| T1572/);
    const techs = md.slice(md.indexOf('## ATT&CK'), md.indexOf('## Timeline'));
    assert.ok(techs.indexOf('T1190') < techs.indexOf('T1136.001') && techs.indexOf('T1136.001') < techs.indexOf('T1572'));
    // outside code blocks the script tag is text, not markup
    const prose = md.replace(/```+text\n[\s\S]*?\n```+/g, '');
    assert.ok(!prose.includes('<script'), 'no raw <script> outside code blocks');
    assert.ok(!md.includes('Hunter2Secret'));
  } finally {
    await store.close();
  }
});

test('tidewatch report: html to a file, md to stdout, unknown incident exits 2 naming it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-report-'));
  const data = join(dir, 'data');
  const store = await DuckDbStore.open(join(data, 'tidewatch.duckdb'));
  let id: string;
  try {
    id = (await incidentIn(store)).id;
  } finally {
    await store.close();
  }
  const tw = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: dir, timeout: 60_000 });
  const h = tw(['report', '--data', data, '--incident', id, '--out', join(dir, 'r.html')]);
  assert.equal(h.status, 0, h.stderr);
  const html = readFileSync(join(dir, 'r.html'), 'utf8');
  checkWellFormed(html);
  assert.ok(html.includes(id));
  const md = tw(['report', '--data', data, '--incident', id, '--format', 'md']);
  assert.equal(md.status, 0, md.stderr);
  assert.match(md.stdout, /^# Incident INC-/);
  assert.match(md.stdout, /## Timeline/);
  const js = tw(['report', '--data', data, '--incident', id, '--format', 'json']);
  assert.equal(JSON.parse(js.stdout).techniques.length, 3);
  const bad = tw(['report', '--data', data, '--incident', 'INC-000000000000', '--format', 'md']);
  assert.equal(bad.status, 2);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /no incident INC-000000000000 in .*tidewatch\.duckdb; the most severe there: INC-/);
  const fmt = tw(['report', '--data', data, '--incident', id, '--format', 'pdf']);
  assert.equal(fmt.status, 2);
  assert.match(fmt.stderr, /--format must be one of html, md, json/);
  const nostore = tw(['report', '--data', join(dir, 'nothing'), '--incident', id]);
  assert.equal(nostore.status, 2);
  assert.match(nostore.stderr, /no store at/);
});

test('GET /api/v1/incidents/:id/report: viewer role, html/md/json with their content types, 404 for unknown ids', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-report-http-'));
  const store = await DuckDbStore.open(':memory:');
  const tokens = TokenStore.forData(dir);
  const incidents = await IncidentManager.open(store);
  const app = await buildHttp({ store, tokens, incidents, metrics: new Metrics({ store, defaults: false }), health: () => ({ status: 'ok' }), capabilities: {} });
  try {
    await incidents.ingest(alerts());
    const id = (await store.listIncidents({ limit: 1 })).items[0].id;
    const auth = { authorization: `Bearer ${tokens.create('viewer', 'vic').token}` };
    assert.equal((await app.inject({ url: `/api/v1/incidents/${id}/report` })).statusCode, 401);
    const html = await app.inject({ url: `/api/v1/incidents/${id}/report?format=html`, headers: auth });
    assert.equal(html.statusCode, 200);
    assert.match(String(html.headers['content-type']), /^text\/html/);
    checkWellFormed(html.body);
    const md = await app.inject({ url: `/api/v1/incidents/${id}/report?format=md`, headers: auth });
    assert.match(String(md.headers['content-type']), /^text\/markdown/);
    assert.match(md.body, /## Timeline/);
    const js = await app.inject({ url: `/api/v1/incidents/${id}/report?format=json`, headers: auth });
    assert.equal(js.json().report.incident, id);
    assert.equal((await app.inject({ url: '/api/v1/incidents/INC-nope/report', headers: auth })).statusCode, 404);
    assert.equal((await app.inject({ url: `/api/v1/incidents/${id}/report?format=pdf`, headers: auth })).statusCode, 400);
    assert.equal((await app.inject({ url: '/api/v1/me', headers: auth })).json().capabilities.report, true);
  } finally {
    await app.close();
    await store.close();
  }
});

test('incident report: a Sigma correlation lists its contributing events by file and line', () => {
  const a: Alert = {
    id: 'c1', time: '2026-11-01T03:00:00.000Z', detector: 'sigma', severity: 'high', attack: ['T1110'], device: 'edge1',
    rule: { id: 'brute', title: 'Many failed logins', level: 'high', tags: [], kind: 'correlation' },
    source: { file: 'syslog/edge1.log', line: 9, lines: [3, 5, 9] },
    event: { raw: 'Login failed for user admin password=Sup3rSecret' },
    correlation: { type: 'event_count', events: [{ time: '2026-11-01T02:59:00.000Z', file: 'syslog/edge1.log', line: 3, rule: 'login-failed' }, { time: '2026-11-01T03:00:00.000Z', file: 'syslog/edge1.log', line: 9, rule: 'login-failed' }] },
  };
  const inc: Incident = {
    id: 'INC-c', title: 'Brute force on edge1', severity: 'high', state: 'new', first_seen: a.time, last_seen: a.time, alert_ids: ['c1'],
    techniques: [{ technique: 'T1110', tactic: 'credential-access', name: 'Brute Force' }], timeline: [{ time: a.time, alert_id: 'c1', title: 'Many failed logins', device: 'edge1', technique: 'T1110', tactic: 'credential-access' }],
    devices: ['edge1'], accounts: ['admin'], ips: [], remediation: [], history: [], notes: [],
  };
  const r = buildIncidentReport(inc, [a]);
  assert.equal(r.evidence[0].source, 'syslog/edge1.log:9');
  assert.deepEqual(r.evidence[0].lines.slice(2), ['2 contributing events:', '2026-11-01T02:59:00.000Z  syslog/edge1.log:3  (login-failed)', '2026-11-01T03:00:00.000Z  syslog/edge1.log:9  (login-failed)']);
  assert.ok(!JSON.stringify(r).includes('Sup3rSecret'), 'password in a log line redacted');
  assert.equal(r.evidence[0].lines[0], 'Login failed for user admin password=<redacted>');
});
