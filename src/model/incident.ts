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
}
