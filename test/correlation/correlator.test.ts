import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert } from '../../src/model/alert.js';
import { AttackTable } from '../../src/correlation/attack.js';
import { Correlator } from '../../src/correlation/correlator.js';
import { correlationRulesFrom, loadCorrelationRules, parseDuration } from '../../src/correlation/rules.js';
import { siteFromObject } from '../../src/site/load.js';

const attack = AttackTable.load();
const rules = loadCorrelationRules();

let n = 0;
function alert(p: Partial<Alert> & { time: string }): Alert {
  n++;
  return {
    id: p.id ?? `a${n}`, time: p.time, detector: p.detector ?? 'sigma',
    rule: p.rule ?? { id: `r${n}`, title: `rule ${n}`, level: p.severity ?? 'medium', tags: [] },
    severity: p.severity ?? 'medium', attack: p.attack ?? [], device: p.device, entities: p.entities, remediation: p.remediation,
  };
}

function run(c: Correlator, alerts: Alert[]) {
  const created: string[] = [];
  for (const a of alerts) {
    const r = c.add(a, '2026-11-24T00:00:00.000Z');
    if (r?.created) created.push(r.incidentId);
  }
  return { created, incidents: c.takeDirty() };
}

test('the ATT&CK table orders tactics and rolls sub-techniques up to their parent', () => {
  assert.equal(attack.lookup('T1136.001')?.tactic, 'persistence');
  assert.equal(attack.lookup('T1572.999')?.tactic, 'command-and-control'); // not listed: parent's tactic
  assert.equal(attack.lookup('T9999'), undefined);
  assert.ok(attack.tacticRank('initial-access') < attack.tacticRank('persistence'));
  assert.ok(attack.tacticRank('persistence') < attack.tacticRank('exfiltration'));
  assert.equal(attack.tacticRank('nonsense'), attack.tacticOrder.length);
});

test('alerts group by device within the window; a later alert outside it opens a new incident', () => {
  const c = new Correlator(rules, attack);
  const { created, incidents } = run(c, [
    alert({ time: '2026-11-01T10:00:00Z', device: 'edge1', attack: ['T1136.001'] }),
    alert({ time: '2026-11-01T12:00:00Z', device: 'EDGE1', attack: ['T1190'] }),
    alert({ time: '2026-11-05T12:00:00Z', device: 'edge1', attack: ['T1070'] }), // 4 days later: > 24h window
    alert({ time: '2026-11-01T11:00:00Z', device: 'core9', attack: ['T1046'] }),
  ]);
  assert.equal(created.length, 3);
  const first = incidents.find((i) => i.alert_ids.length === 2)!;
  assert.deepEqual(first.devices, ['edge1']);
  // kill-chain order, not arrival order: initial access (T1190) before persistence (T1136.001)
  assert.deepEqual(first.techniques.map((t) => t.technique), ['T1190', 'T1136.001']);
  assert.equal(first.first_seen, '2026-11-01T10:00:00Z');
  assert.deepEqual(first.timeline.map((t) => t.time), ['2026-11-01T10:00:00Z', '2026-11-01T12:00:00Z']);
  assert.equal(first.state, 'new');
  assert.equal(first.history[0].by, 'correlation');
});

test('an actor address links alerts on different devices, and a bridging alert merges two incidents', () => {
  const c = new Correlator(rules, attack);
  const r1 = run(c, [
    alert({ time: '2026-11-01T10:00:00Z', device: 'edge1', attack: ['T1190'], entities: { ips: ['203.0.113.9'] } }),
    alert({ time: '2026-11-01T10:30:00Z', device: 'core2', attack: ['T1078'], entities: { accounts: ['mallory'] } }),
  ]);
  assert.equal(r1.created.length, 2);
  const bridge = c.add(alert({ time: '2026-11-01T11:00:00Z', device: 'pe3', attack: ['T1021.004'], entities: { ips: ['203.0.113.9'], accounts: ['mallory'] } }), '2026-11-24T00:00:00.000Z');
  assert.ok(bridge && !bridge.created);
  assert.equal(bridge.merged.length, 1);
  assert.equal(bridge.merged[0].state, 'closed');
  assert.equal(bridge.merged[0].merged_into, bridge.incidentId);
  const [inc] = c.takeDirty();
  assert.deepEqual(inc.devices, ['core2', 'edge1', 'pe3']);
  assert.deepEqual(inc.accounts, ['mallory']);
  assert.equal(inc.alert_ids.length, 3);
  assert.equal(c.openCount, 1);
  // three devices raises severity one step above the highest alert (medium -> high), and says why
  assert.ok(inc.severity_reasons?.includes('three or more devices involved'));
});

test('infrastructure addresses named in the site file never glue incidents together', () => {
  const site = siteFromObject({ syslog_servers: ['10.10.0.6'] });
  const c = new Correlator(rules, attack, site);
  const { created } = run(c, [
    alert({ time: '2026-11-01T10:00:00Z', device: 'a', entities: { ips: ['10.10.0.6'] } }),
    alert({ time: '2026-11-01T10:01:00Z', device: 'b', entities: { ips: ['10.10.0.6'] } }),
  ]);
  assert.equal(created.length, 2);
});

test('severity rises with breadth and stage; a known chain names the incident and makes it critical', () => {
  const c = new Correlator(rules, attack);
  const { incidents } = run(c, [
    alert({ time: '2026-11-01T10:00:00Z', device: 'edge1', attack: ['T1190'], severity: 'high', remediation: 'Disable the HTTP server: no ip http server' }),
    alert({ time: '2026-11-01T10:10:00Z', device: 'edge1', attack: ['T1136.001'], severity: 'medium' }),
    alert({ time: '2026-11-01T10:20:00Z', device: 'edge1', attack: ['T1572'], severity: 'medium' }),
  ]);
  const inc = incidents[0];
  assert.equal(inc.severity, 'critical');
  assert.deepEqual(inc.chains?.map((x) => x.id), ['COR-01']);
  assert.match(inc.title, /RedMike/);
  assert.deepEqual(inc.techniques.map((t) => t.tactic), ['initial-access', 'persistence', 'command-and-control']);
  assert.ok(inc.remediation.includes('Disable the HTTP server: no ip http server'));
  assert.ok(inc.remediation.some((r) => /Remove every account/.test(r)), 'persistence remediation gathered from the rules file');
  // the same steps out of order (tunnel first) do not complete the chain
  const c2 = new Correlator(rules, attack);
  const r2 = run(c2, [
    alert({ time: '2026-11-01T10:00:00Z', device: 'x', attack: ['T1572'], severity: 'low' }),
    alert({ time: '2026-11-01T10:10:00Z', device: 'x', attack: ['T1136'], severity: 'low' }),
    alert({ time: '2026-11-01T10:20:00Z', device: 'x', attack: ['T1190'], severity: 'low' }),
  ]);
  assert.deepEqual(r2.incidents[0].chains, []);
  assert.equal(r2.incidents[0].severity, 'medium'); // low raised one step for three tactics
});

test('info alerts join incidents but do not open them; a repeated alert id is ignored', () => {
  const c = new Correlator(rules, attack);
  assert.equal(c.add(alert({ time: '2026-11-01T10:00:00Z', device: 'q', severity: 'info' }), 'x'), undefined);
  const a = alert({ time: '2026-11-01T10:00:00Z', device: 'q', severity: 'low' });
  assert.ok(c.add(a, 'x')?.created);
  assert.equal(c.add(a, 'x'), undefined);
  const joined = c.add(alert({ time: '2026-11-01T10:05:00Z', device: 'q', severity: 'info' }), 'x');
  assert.ok(joined && !joined.created);
});

test('the rules file is validated with messages that name the key', () => {
  assert.equal(parseDuration('24h'), 86_400_000);
  assert.equal(parseDuration('7d'), 7 * 86_400_000);
  assert.equal(parseDuration('soon'), undefined);
  assert.throws(() => correlationRulesFrom({ group_by: [{ key: 'device', window: 'soon' }] }, 'x.yml'), /x\.yml: `group_by\[0\]\.window`/);
  assert.throws(() => correlationRulesFrom({ group_by: [{ key: 'color', window: '1h' }] }, 'x.yml'), /group_by\[0\]\.key/);
  assert.throws(() => correlationRulesFrom({ group_by: [{ key: 'ip', window: '1h' }], chains: [{ id: 'C', title: 't', window: '1h', severity: 'high', steps: [{}] }] }, 'x.yml'), /at least two steps/);
});
