import { createHash } from 'node:crypto';
import type { Alert } from '../model/alert.js';
import type { Suppression } from '../model/incident.js';

/** True when the suppression silences this alert: same rule id, and the same device when it names one. */
export function suppresses(s: Suppression, a: Alert): boolean {
  if (s.rule !== a.rule.id) return false;
  if (s.device === undefined) return true;
  return (a.device ?? '').toLowerCase() === s.device.toLowerCase();
}

/** A stable id for a (rule, device) suppression, so closing two incidents with the same alerts adds it once. */
export function suppressionId(rule: string, device: string | undefined): string {
  return 'SUP-' + createHash('sha256').update(`${rule}\u0000${device ?? '*'}`).digest('hex').slice(0, 12);
}

/** The suppressions a false-positive close adds: one per distinct (rule, device) among the incident's alerts. */
export function suppressionsFor(alerts: readonly Alert[], by: string, at: string, incident: string, note?: string): Suppression[] {
  const seen = new Map<string, Suppression>();
  for (const a of alerts) {
    const device = a.device?.toLowerCase();
    const id = suppressionId(a.rule.id, device);
    if (!seen.has(id)) {
      seen.set(id, { id, rule: a.rule.id, ...(device ? { device } : {}), incident, created_by: by, created_at: at, ...(note ? { note } : {}), hits: 0 });
    }
  }
  return [...seen.values()];
}
