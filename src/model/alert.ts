import type { Severity } from './severity.js';
import type { Event, SourceRef } from './event.js';

/** Which detector family raised an alert. */
export type DetectorName = 'audit' | 'sigma' | 'flows' | 'intel' | 'access';

/**
 * The common alert model. Every detector (config audit findings, Sigma matches, flow analytics,
 * indicator matches, access-monitoring alerts) produces this, so correlation, the store, the API
 * and the sinks handle one shape. Each CLI renders its own documented output contract from it.
 */
export interface Alert {
  /** Stable id: a hash of detector, rule, source and key fields, so re-processing dedupes. */
  id: string;
  /** Event time (ISO 8601 UTC) of the evidence, not the processing time. */
  time: string;
  detector: DetectorName;
  rule: {
    id: string;
    title: string;
    level: Severity;
    tags: string[];
    /** Kept because the SigmaHQ rules' license (DRL 1.1) asks alerts to carry the author. */
    author?: string;
    /** Detector-specific category, e.g. `no_warrant`, `gre_tunnel`, `compromise`. */
    kind?: string;
  };
  severity: Severity;
  /** ATT&CK technique ids (T1xxx or T1xxx.yyy) and/or mitigation ids (M1xxx). */
  attack: string[];
  /** The device the alert is about (hostname), if any. */
  device?: string;
  /** Actors and targets used by correlation to group alerts into incidents. */
  entities?: {
    ips?: string[];
    accounts?: string[];
    devices?: string[];
  };
  source?: SourceRef;
  /** The event (or a summary of the evidence) that triggered it, secrets redacted. */
  event?: Event;
  /** For Sigma correlation rules: the group and the contributing events. */
  correlation?: Record<string, unknown>;
  /** Human sentences explaining why. */
  reasons?: string[];
  /** Remediation text (config lines or steps). */
  remediation?: string;
  /** For indicator matches (detector `intel`): which indicator, from whom, how sure, and what it relates to. */
  indicator?: IndicatorRef;
}

/** The indicator behind an `intel` alert. */
export interface IndicatorRef {
  /** STIX id of the indicator. */
  id: string;
  pattern: string;
  name?: string;
  source: string;
  confidence?: number;
  valid_until?: string;
  /** The observed value that matched, and the field (or flow end, or config context) it was in. */
  value: string;
  field?: string;
  /** Threat actors, intrusion sets, campaigns and malware the indicator points to. */
  actors: string[];
}

/** Sigma `level` to Tidewatch severity. */
export function levelToSeverity(level: string | undefined): Severity {
  switch ((level ?? '').toLowerCase()) {
    case 'critical': return 'critical';
    case 'high': return 'high';
    case 'medium': return 'medium';
    case 'low': return 'low';
    default: return 'info';
  }
}
