import { createHash } from 'node:crypto';
import type { Alert } from '../../model/alert.js';
import type { AccessAlertKind, AccessEvent } from '../../model/access.js';
import type { SourceRef } from '../../model/event.js';
import type { Severity } from '../../model/severity.js';
import { maskTarget } from './warrants.js';

/** Title and ATT&CK techniques (rules/attack/techniques.yml) of each access alert kind. */
export const ACCESS_KIND_INFO: Record<AccessAlertKind, { title: string; attack: string[] }> = {
  no_warrant: { title: 'Intercept or subscriber search without a valid warrant', attack: ['T1213'] },
  unauthorized_operator: { title: 'Operator not authorized for the case', attack: ['T1213', 'T1078'] },
  undeclared_source: { title: 'Access from a host that is not a declared jump host', attack: ['T1078', 'T1021'] },
  new_account: { title: 'New operator account', attack: ['T1136'] },
  privilege_change: { title: 'Operator privilege change', attack: ['T1098'] },
  bulk_export: { title: 'Bulk export of call or intercept records', attack: ['T1213', 'T1048'] },
  disabled_account: { title: 'Activity by a disabled account', attack: ['T1078'] },
  failed_login_burst: { title: 'Burst of failed logins', attack: ['T1110'] },
  behaviour_anomaly: { title: "Operator activity unlike the operator's own history", attack: ['T1213', 'T1078'] },
};

export function alertId(parts: readonly (string | number | undefined)[]): string {
  return createHash('sha256').update(parts.map((p) => String(p ?? '')).join('\u0000')).digest('hex').slice(0, 32);
}

/** The event as an alert carries it: targets masked unless the caller shows them. */
export function redactEvent(e: AccessEvent, showTargets: boolean): AccessEvent {
  return showTargets ? { ...e, targets: [...e.targets] } : { ...e, targets: e.targets.map(maskTarget) };
}

export function makeAccessAlert(args: {
  kind: AccessAlertKind;
  severity: Severity;
  time: string;
  operator: string;
  system?: string;
  reasons: string[];
  source: SourceRef;
  key?: string;
  event?: AccessEvent | Record<string, unknown>;
  ips?: string[];
  devices?: string[];
  attack?: string[];
  correlation?: Record<string, unknown>;
}): Alert {
  const info = ACCESS_KIND_INFO[args.kind];
  const attack = args.attack ?? info.attack;
  return {
    id: alertId(['access', args.kind, args.operator.toLowerCase(), args.source.file, args.source.line ?? args.source.lines?.[0], args.key, args.time]),
    time: args.time,
    detector: 'access',
    rule: {
      id: `access.${args.kind}`,
      title: info.title,
      level: args.severity,
      tags: attack.map((t) => `attack.${t.toLowerCase()}`),
      kind: args.kind,
    },
    severity: args.severity,
    attack,
    device: args.system,
    entities: {
      accounts: [args.operator],
      ...(args.ips?.length ? { ips: args.ips } : {}),
      ...(args.devices?.length ? { devices: args.devices } : {}),
    },
    source: args.source,
    event: args.event as Alert['event'],
    reasons: args.reasons,
    ...(args.correlation ? { correlation: args.correlation } : {}),
  };
}

/** The `tidewatch access check --format jsonl` record of an alert (docs/ACCESS.md, "Output"). */
export function accessAlertRecord(a: Alert): Record<string, unknown> {
  const corr = a.correlation as { score?: number; sources?: SourceRef[] } | undefined;
  const rec: Record<string, unknown> = {
    kind: a.rule.kind,
    severity: a.severity,
    reasons: a.reasons ?? [],
    operator: a.entities?.accounts?.[0],
    time: a.time,
    source: a.source,
  };
  if (corr?.sources && corr.sources.length > 1) rec.sources = corr.sources;
  if (corr?.score !== undefined) rec.score = corr.score;
  rec.system = a.device;
  rec.attack = a.attack;
  rec.title = a.rule.title;
  rec.id = a.id;
  return rec;
}
