/**
 * Alerts as OCSF Detection Finding objects (class_uid 2004, category Findings, OCSF 1.3 field names), for SIEMs
 * and data lakes that read OCSF. Pure: one Alert in, one plain object out.
 */
import type { Alert } from '../model/alert.js';
import type { Severity } from '../model/severity.js';
import type { AttackTable } from '../correlation/attack.js';

export const OCSF_VERSION = '1.3.0';
export const DETECTION_FINDING = { class_uid: 2004, class_name: 'Detection Finding', category_uid: 2, category_name: 'Findings' } as const;

/** OCSF severity_id: 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical. */
const SEVERITY_ID: Record<Severity, [number, string]> = {
  info: [1, 'Informational'], low: [2, 'Low'], medium: [3, 'Medium'], high: [4, 'High'], critical: [5, 'Critical'],
};

/** ATT&CK tactic ids by the tactic names rules/attack/techniques.yml uses. */
const TACTIC_UID: Record<string, string> = {
  reconnaissance: 'TA0043', 'resource-development': 'TA0042', 'initial-access': 'TA0001', execution: 'TA0002',
  persistence: 'TA0003', 'privilege-escalation': 'TA0004', 'defense-evasion': 'TA0005', 'credential-access': 'TA0006',
  discovery: 'TA0007', 'lateral-movement': 'TA0008', collection: 'TA0009', 'command-and-control': 'TA0011',
  exfiltration: 'TA0010', impact: 'TA0040',
};

const titleCase = (s: string) => s.split('-').map((w) => (w === 'and' ? w : w[0].toUpperCase() + w.slice(1))).join(' ');

/** OCSF observable type_id: 1 Hostname, 2 IP Address, 4 User Name. */
const OBS = { hostname: [1, 'Hostname'], ip: [2, 'IP Address'], user: [4, 'User Name'] } as const;

export interface OcsfOptions {
  /** Tidewatch's version (metadata.product.version). */
  version?: string;
  /** ATT&CK names and tactics for `finding_info.attacks`. */
  attack?: AttackTable;
}

export function toOcsfDetectionFinding(a: Alert, o: OcsfOptions = {}): Record<string, unknown> {
  const t = Date.parse(a.time);
  const time = Number.isFinite(t) ? t : Date.now();
  const [severity_id, severity] = SEVERITY_ID[a.severity] ?? [0, 'Unknown'];
  const attacks = a.attack.filter((id) => /^T\d{4}/.test(id)).map((id) => {
    const info = o.attack?.lookup(id);
    const parent = id.split('.')[0];
    const parentInfo = id.includes('.') ? o.attack?.lookup(parent) : undefined;
    const att: Record<string, unknown> = { version: 'v15' };
    if (id.includes('.')) {
      att.technique = { uid: parent, ...(parentInfo ? { name: parentInfo.name } : {}) };
      att.sub_technique = { uid: id, ...(info ? { name: info.name } : {}) };
    } else att.technique = { uid: id, ...(info ? { name: info.name } : {}) };
    if (info?.tactic) att.tactic = { uid: TACTIC_UID[info.tactic], name: titleCase(info.tactic) };
    return att;
  });
  const ips = a.entities?.ips ?? [];
  const accounts = a.entities?.accounts ?? [];
  const devices = [...new Set([...(a.device ? [a.device] : []), ...(a.entities?.devices ?? [])])];
  const observables = [
    ...devices.map((v) => ({ name: 'device', type_id: OBS.hostname[0], type: OBS.hostname[1], value: v })),
    ...ips.map((v) => ({ name: 'entities.ips', type_id: OBS.ip[0], type: OBS.ip[1], value: v })),
    ...accounts.map((v) => ({ name: 'entities.accounts', type_id: OBS.user[0], type: OBS.user[1], value: v })),
  ];
  const finding: Record<string, unknown> = {
    class_uid: DETECTION_FINDING.class_uid,
    class_name: DETECTION_FINDING.class_name,
    category_uid: DETECTION_FINDING.category_uid,
    category_name: DETECTION_FINDING.category_name,
    activity_id: 1,
    activity_name: 'Create',
    type_uid: DETECTION_FINDING.class_uid * 100 + 1,
    type_name: 'Detection Finding: Create',
    time,
    severity_id,
    severity,
    status_id: 1,
    status: 'New',
    is_alert: true,
    message: a.rule.title,
    metadata: {
      version: OCSF_VERSION,
      product: { name: 'Tidewatch', vendor_name: 'Tidewatch', ...(o.version ? { version: o.version } : {}) },
      uid: a.id,
      log_name: a.detector,
    },
    finding_info: {
      uid: a.id,
      title: a.rule.title,
      ...(a.reasons?.length ? { desc: a.reasons.join(' ') } : {}),
      types: [a.detector, ...(a.rule.kind ? [a.rule.kind] : [])],
      first_seen_time: time,
      last_seen_time: time,
      analytic: { uid: a.rule.id, name: a.rule.title, type_id: 1, type: 'Rule' },
      ...(attacks.length ? { attacks } : {}),
    },
    ...(devices.length ? { resources: devices.map((d) => ({ name: d, type: 'Network Device' })) } : {}),
    ...(observables.length ? { observables } : {}),
    ...(a.remediation ? { remediation: { desc: a.remediation } } : {}),
    evidences: [{
      ...(a.device ? { device: { hostname: a.device } } : {}),
      ...(ips[0] ? { src_endpoint: { ip: ips[0] } } : {}),
      ...(accounts[0] ? { actor: { user: { name: accounts[0] } } } : {}),
      ...(a.source ? { data: { source: a.source } } : {}),
    }],
    unmapped: {
      detector: a.detector,
      rule_level: a.rule.level,
      ...(a.rule.author ? { rule_author: a.rule.author } : {}),
      attack: a.attack,
      ...(a.indicator ? { indicator: a.indicator } : {}),
    },
  };
  return finding;
}
