/**
 * Indicators as the matcher sees them: one per STIX `indicator` object (MISP attributes, plain-list lines and
 * standalone observables are converted to STIX indicators at import). Related ATT&CK techniques and actors are
 * resolved from the store's relationships when the matcher loads.
 */
export interface IndicatorRecord {
  /** STIX id, e.g. `indicator--0b0d...`. */
  id: string;
  /** STIX pattern (pattern_type `stix`). */
  pattern: string;
  name?: string;
  /** Where it came from: file name, `misp:ORG`, `taxii:URL#COLLECTION`, or the bundle's author identity. */
  source: string;
  /** STIX confidence 0-100, when the producer gave one. */
  confidence?: number;
  /** ISO 8601 UTC. */
  valid_from?: string;
  valid_until?: string;
  revoked: boolean;
  modified: string;
  /** ATT&CK technique ids related to it (directly or through the malware/actor it indicates). */
  attack: string[];
  /** Names of threat actors, intrusion sets, campaigns and malware it indicates. */
  actors: string[];
  /** STIX `indicator_types` / MISP categories. */
  labels?: string[];
  /** TLP marking, if any (`clear`, `green`, `amber`, `amber+strict`, `red`). */
  tlp?: string;
}

/** A stored STIX object (any type) with the fields the store indexes. */
export interface IntelObject {
  id: string;
  type: string;
  /** Version: `modified` for SDOs/SROs, else `created`, else a fixed epoch for SCOs. */
  modified: string;
  source: string;
  revoked: boolean;
  valid_from?: string;
  valid_until?: string;
  confidence?: number;
  /** The STIX object itself. */
  doc: Record<string, unknown>;
  /** Indicator fields the store keeps in columns (set for `indicator` objects). */
  pattern?: string;
  name?: string;
  labels?: string[];
  attack?: string[];
  actors?: string[];
  tlp?: string;
}

/** Query over stored STIX objects. */
export interface IntelQuery {
  types?: string[];
  ids?: string[];
  source?: string;
  /** Free text: matches id, name or pattern (case-insensitive substring). */
  q?: string;
  /** Only objects that are not revoked and valid at this time (ISO 8601). */
  liveAt?: string;
  /** Only objects added to the store after this time (ISO 8601). */
  addedAfter?: string;
  limit?: number;
  offset?: number;
}

/** What happened to one object on import. */
export type ImportOutcome = 'added' | 'updated' | 'skipped';
