import type { Severity } from './severity.js';

export const INCIDENT_STATES = ['new', 'investigating', 'contained', 'closed', 'false_positive'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

export interface IncidentStateChange {
  state: IncidentState;
  by: string;
  at: string;
  note?: string;
}

export interface TimelineEntry {
  time: string;
  alert_id: string;
  title: string;
  device?: string;
  technique?: string;
  tactic?: string;
}

/** A group of correlated alerts: one intrusion as the analyst sees it. */
export interface Incident {
  id: string;
  title: string;
  severity: Severity;
  state: IncidentState;
  assignee?: string;
  first_seen: string;
  last_seen: string;
  alert_ids: string[];
  /** ATT&CK techniques, ordered by kill-chain tactic. */
  techniques: { technique: string; tactic: string; name?: string }[];
  timeline: TimelineEntry[];
  devices: string[];
  accounts: string[];
  ips: string[];
  remediation: string[];
  history: IncidentStateChange[];
  notes: { by: string; at: string; text: string }[];
  /** Known chains (rules/correlation/incidents.yml `chains`) the incident's alerts complete, in time order. */
  chains?: { id: string; title: string }[];
  /** Why the severity is above the highest alert severity. */
  severity_reasons?: string[];
  /** Set when this incident was merged into another (it is then closed). */
  merged_into?: string;
}

/** A rule that drops future alerts matching it (added when an incident is closed as a false positive). */
export interface Suppression {
  id: string;
  /** The alert rule id it silences. */
  rule: string;
  /** Only alerts about this device (any device when absent). */
  device?: string;
  incident?: string;
  created_by: string;
  created_at: string;
  note?: string;
  /** Alerts dropped by it so far, and when the last one was. */
  hits: number;
  last_hit?: string;
}
