import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { siteFromObject } from '../../../src/site/load.js';
import { FlowAnalytics, readFlowFiles } from '../../../src/pipeline/flows.js';
import { ipIndicatorMatcher, parseIocList } from '../../../src/detectors/flows/iocs.js';
import type { FlowRecord } from '../../../src/model/flow.js';
import type { Alert } from '../../../src/model/alert.js';
import { corpusPath, REPO_ROOT } from '../../corpus.js';

const T0 = Date.UTC(2026, 10, 23, 4, 0, 0);
const site = siteFromObject({
  internal_prefixes: ['10.0.0.0/8'],
  management_hosts: ['10.10.0.0/24'],
  snmp_managers: ['10.10.1.8'],
  tunnel_peers: ['203.0.113.0/28'],
  devices: [{ name: 'edge1', address: '10.1.0.1' }, { name: 'core1', address: '10.1.0.9' }],
});

function flow(p: Partial<FlowRecord> & { t?: number }): FlowRecord {
  const t = p.t ?? T0;
  return {
    exporter: '10.1.0.250', time_start: new Date(t).toISOString(), time_end: new Date(t + 1000).toISOString(),
    src_ip: '10.2.0.1', dst_ip: '10.2.0.2', src_port: 40000, dst_port: 80, protocol: 6, bytes: 1000, packets: 2,
    input_if: 1, output_if: 2, tcp_flags: 0x1b, version: 9, ...p,
  };
}

const techniques = (parseYaml(readFileSync(`${REPO_ROOT}/rules/attack/techniques.yml`, 'utf8')) as { techniques: Record<string, unknown> }).techniques;
function checkShape(a: Alert): void {
  assert.equal(a.detector, 'flows');
  assert.match(a.id, /^flows-[0-9a-f]{20}$/);
  assert.match(a.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.ok(a.attack.length > 0);
  for (const t of a.attack) assert.ok(t in techniques, `${t} is in rules/attack/techniques.yml`);
  assert.ok(a.reasons && a.reasons.length > 0);
}

test('tunnels: GRE/IPsec/IP-in-IP to undeclared peers, not to approved peers, internal or transit', () => {
  const fa = new FlowAnalytics({ site });
  const alerts = fa.process([
    flow({ src_ip: '10.1.0.1', dst_ip: '198.51.100.9', protocol: 47, src_port: 0, dst_port: 0 }), // device -> stranger: critical
    flow({ src_ip: '10.5.0.1', dst_ip: '198.51.100.10', protocol: 50, src_port: 0, dst_port: 0 }), // host -> stranger: high
    flow({ src_ip: '198.51.100.11', dst_ip: '10.5.0.2', protocol: 17, src_port: 4500, dst_port: 4500 }), // NAT-T inbound
    flow({ src_ip: '10.5.0.3', dst_ip: '198.51.100.12', protocol: 4, src_port: 0, dst_port: 0 }), // IP-in-IP
    flow({ src_ip: '10.1.0.1', dst_ip: '203.0.113.5', protocol: 47, src_port: 0, dst_port: 0 }), // approved peer
    flow({ src_ip: '10.1.0.1', dst_ip: '10.1.0.9', protocol: 47, src_port: 0, dst_port: 0 }), // internal
    flow({ src_ip: '192.0.2.1', dst_ip: '198.51.100.1', protocol: 50, src_port: 0, dst_port: 0 }), // transit
    flow({ src_ip: '10.1.0.1', dst_ip: '198.51.100.9', protocol: 47, src_port: 0, dst_port: 0, t: T0 + 60_000 }), // repeat
  ]).filter((a) => a.rule.id === 'flows.tunnel');
  assert.deepEqual(alerts.map((a) => [a.rule.kind, a.severity, a.entities?.ips?.[1]]), [
    ['gre_tunnel', 'critical', '198.51.100.9'],
    ['ipsec_tunnel', 'high', '198.51.100.10'],
    ['ipsec_tunnel', 'high', '198.51.100.11'],
    ['ip_in_ip_tunnel', 'high', '198.51.100.12'],
  ]);
  assert.equal(alerts[0].device, 'edge1');
  assert.deepEqual(alerts[0].attack, ['T1572', 'T1020.001']);
  for (const a of alerts) checkShape(a);
});

test('management access to devices from outside the management hosts', () => {
  const fa = new FlowAnalytics({ site });
  const alerts = fa.process([
    flow({ src_ip: '10.20.0.5', dst_ip: '10.1.0.1', dst_port: 22 }), // SSH from a non-management host
    flow({ src_ip: '10.10.0.3', dst_ip: '10.1.0.1', dst_port: 22 }), // from a management host
    flow({ src_ip: '10.10.1.8', dst_ip: '10.1.0.9', dst_port: 161, protocol: 17, tcp_flags: 0 }), // SNMP manager
    flow({ src_ip: '10.30.0.1', dst_ip: '10.1.0.9', dst_port: 161, protocol: 17, tcp_flags: 0 }), // SNMP from elsewhere
    flow({ src_ip: '198.51.100.77', dst_ip: '10.1.0.250', dst_port: 830, tcp_flags: 0x18 }), // NETCONF to the exporter, from outside
    flow({ src_ip: '10.20.0.6', dst_ip: '10.1.0.1', dst_port: 23, tcp_flags: 0x02 }), // Telnet SYN only
    flow({ src_ip: '10.20.0.5', dst_ip: '10.7.0.1', dst_port: 22 }), // SSH to a non-device
    flow({ src_ip: '10.20.0.5', dst_ip: '10.1.0.1', dst_port: 22, t: T0 + 5000 }), // repeat within the hour
  ]).filter((a) => a.rule.id === 'flows.management_access');
  assert.deepEqual(alerts.map((a) => [a.entities?.ips?.[0], a.event?.dst_port, a.severity]), [
    ['10.20.0.5', 22, 'high'],
    ['10.30.0.1', 161, 'high'],
    ['198.51.100.77', 830, 'critical'],
    ['10.20.0.6', 23, 'medium'],
  ]);
  assert.deepEqual(alerts[0].attack, ['T1021.004', 'T1078']);
  assert.equal(alerts[0].device, 'edge1');
  assert.deepEqual(alerts[1].attack, ['T1078', 'T1602.001']);
  for (const a of alerts) checkShape(a);
});

test('outbound volume: configured threshold, once per destination per window', () => {
  const fa = new FlowAnalytics({ site, settings: { volume_bytes: 1_000_000_000, volume_window_s: 3600 } });
  const batch: FlowRecord[] = [];
  for (let i = 0; i < 12; i++) batch.push(flow({ src_ip: `10.2.0.${i % 3}`, dst_ip: '198.51.100.50', dst_port: 443, bytes: 100_000_000, t: T0 + i * 60_000 }));
  for (let i = 0; i < 12; i++) batch.push(flow({ src_ip: '10.2.0.9', dst_ip: '198.51.100.51', dst_port: 443, bytes: 50_000_000, t: T0 + i * 60_000 }));
  const alerts = fa.process(batch).filter((a) => a.rule.id === 'flows.outbound_volume');
  assert.equal(alerts.length, 1);
  assert.deepEqual(alerts[0].attack, ['T1048']);
  assert.equal(alerts[0].entities?.ips?.[0], '198.51.100.50');
  assert.equal((alerts[0].correlation as { bytes: number }).bytes, 1_100_000_000);
  checkShape(alerts[0]);
  // sampled flows count at their sampled-up volume
  const fb = new FlowAnalytics({ site, settings: { volume_bytes: 1_000_000 } });
  assert.equal(fb.process([flow({ dst_ip: '198.51.100.52', bytes: 10_000, sampling_rate: 1000 })]).filter((a) => a.rule.id === 'flows.outbound_volume').length, 1);
});

test('outbound volume: a learned baseline replaces the configured threshold for regular heavy destinations', () => {
  const fa = new FlowAnalytics({ site, settings: { volume_bytes: 1_000_000_000, volume_learn_min_windows: 3, volume_learn_factor: 3, volume_min_bytes: 1000 } });
  const out: Alert[] = [];
  for (let w = 0; w < 5; w++) {
    // a nightly backup: 2 GB every window to the same destination
    out.push(...fa.process([flow({ src_ip: '10.3.0.1', dst_ip: '198.51.100.60', bytes: 2_000_000_000, t: T0 + w * 3_600_000 })]));
  }
  const vol = out.filter((a) => a.rule.id === 'flows.outbound_volume');
  assert.equal(vol.length, 3, 'the first three windows alert on the configured threshold, then the learned one (6 GB) holds');
  assert.equal((vol[2].correlation as { learned: boolean }).learned, false);
  const spike = fa.process([flow({ src_ip: '10.3.0.1', dst_ip: '198.51.100.60', bytes: 7_000_000_000, t: T0 + 6 * 3_600_000 })]);
  assert.equal(spike.filter((a) => a.rule.id === 'flows.outbound_volume').length, 1, '3.5x the usual volume alerts');
  assert.equal((spike[0].correlation as { learned: boolean }).learned, true);
});

test('beacons: regular small flows on new sessions; not jittery ones, not one session cut by timeouts', () => {
  const mk = (dst: string, gap: (i: number) => number, port: (i: number) => number, bytes: (i: number) => number) => {
    const out: FlowRecord[] = [];
    let t = T0;
    for (let i = 0; i < 30; i++) {
      t += gap(i);
      out.push(flow({ src_ip: '10.4.0.1', dst_ip: dst, dst_port: 443, src_port: port(i), bytes: bytes(i), t }));
    }
    return out;
  };
  const fa = new FlowAnalytics({ site });
  const regular = mk('198.51.100.70', (i) => 300_000 + (i % 3) * 1000, (i) => 50000 + i, (i) => 400 + (i % 5));
  const jittery = mk('198.51.100.71', (i) => [30_000, 600_000, 90_000, 1_200_000][i % 4], (i) => 50000 + i, () => 400);
  const session = mk('198.51.100.72', () => 60_000, () => 50000, () => 400);
  const big = mk('198.51.100.73', () => 300_000, (i) => 50000 + i, () => 5_000_000);
  const alerts = fa.process([...regular, ...jittery, ...session, ...big]).filter((a) => a.rule.id === 'flows.beacon');
  assert.deepEqual(alerts.map((a) => a.entities?.ips?.[1]), ['198.51.100.70']);
  assert.deepEqual(alerts[0].attack, ['T1071']);
  const c = alerts[0].correlation as { flows: number; interval_s: number; interval_cv: number };
  assert.equal(c.flows, 20);
  assert.ok(c.interval_s > 290 && c.interval_s < 310);
  assert.ok(c.interval_cv < 0.2);
  checkShape(alerts[0]);
});

test('indicator lists: parse, match either direction, plug in as a matcher', () => {
  const list = parseIocList('# bad\n198.51.100.0/24\n2001:db8:bad::/48  # v6\n\nnot-an-ip\n203.0.113.7\n');
  assert.deepEqual(list.entries, ['198.51.100.0/24', '2001:db8:bad::/48', '203.0.113.7']);
  assert.deepEqual(list.errors, [{ line: 5, text: 'not-an-ip' }]);
  const fa = new FlowAnalytics({ site, settings: { beacon_min_flows: 1000 } });
  fa.addMatcher(ipIndicatorMatcher(list.entries, { name: 'bad.txt' }));
  const alerts = fa.process([
    flow({ src_ip: '10.2.0.1', dst_ip: '198.51.100.99', dst_port: 443 }),
    flow({ src_ip: '2001:db8:bad::5', dst_ip: '2001:db8:1::1', dst_port: 443 }),
    flow({ src_ip: '10.2.0.1', dst_ip: '203.0.113.8', dst_port: 443 }),
  ]).filter((a) => a.rule.id === 'flows.ioc');
  assert.deepEqual(alerts.map((a) => (a.correlation as { indicator: string; direction: string })), [
    { indicator: '198.51.100.0/24', list: 'bad.txt', direction: 'to' },
    { indicator: '2001:db8:bad::/48', list: 'bad.txt', direction: 'from' },
  ]);
  for (const a of alerts) checkShape(a);
});

test('alert ids are stable across runs (re-processing dedupes in the store)', () => {
  const input = [flow({ src_ip: '10.20.0.5', dst_ip: '10.1.0.1', dst_port: 22 }), flow({ src_ip: '10.1.0.1', dst_ip: '198.51.100.9', protocol: 47 })];
  const a = new FlowAnalytics({ site }).process(input).map((x) => x.id);
  const b = new FlowAnalytics({ site }).process(input).map((x) => x.id);
  assert.equal(a.length, 2);
  assert.deepEqual(a, b);
});

test('site overrides of flow settings are checked', () => {
  assert.throws(() => new FlowAnalytics({ site: siteFromObject({ flows: { volume_bytes: 'lots' } }, 'x.yml') }), /x\.yml: `volume_bytes` must be a number/);
  assert.throws(() => new FlowAnalytics({ site: siteFromObject({ flows: { volume_byte: 1 } }, 'x.yml') }), /unknown flow setting `volume_byte`/);
  const fa = new FlowAnalytics({ site: siteFromObject({ flows: { management_tcp_ports: [2222] } }) });
  assert.deepEqual(fa.settings.management_tcp_ports, [2222]);
});

test('analytics on real captures: SSH and SNMP to declared devices from undeclared sources', async () => {
  const real = siteFromObject({
    internal_prefixes: ['10.0.0.0/8'], management_hosts: ['10.10.0.0/24'], snmp_managers: ['10.100.105.85'],
    devices: [{ name: 'vm15', address: '10.0.2.15' }, { name: 'sw60', address: '10.11.21.60' }, { name: 'sw151', address: '10.10.4.151' }],
  });
  const fa = new FlowAnalytics({ site: real });
  const files = ['logstash-netflow__netflow5.pcap', 'logstash-netflow__netflow9_cisco_asr1001x_tpl259.pcap'].map((f) => corpusPath('flows', f));
  const r = await readFlowFiles(files, { analytics: fa });
  const mgmt = r.alerts.filter((a) => a.rule.id === 'flows.management_access');
  assert.deepEqual(mgmt.map((a) => `${a.entities?.ips?.[0]}>${a.device}:${a.event?.dst_port}`).sort(), ['10.0.2.2>vm15:22', '10.100.105.86>sw60:161']);
  assert.equal(r.stats.alerts, r.alerts.length);
});
