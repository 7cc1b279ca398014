import type { Alert } from '../model/alert.js';
import type { Incident, IncidentState } from '../model/incident.js';
import type { FlowRecord } from '../model/flow.js';
import type { Event, SourceRef } from '../model/event.js';
import type { Severity } from '../model/severity.js';

/** An event as stored: the normalized event, where it came from, and whether it parsed. */
export interface StoredEvent {
  time: string;
  host?: string;
  source: SourceRef & { listener?: string };
  event?: Event;
  /** Raw line, kept when parsing failed (`unparsed`), so nothing accepted is lost. */
  raw?: string;
  error?: string;
}

export interface Page {
  limit?: number;
  offset?: number;
}

export interface AlertQuery extends Page {
  since?: string;
  until?: string;
  minSeverity?: Severity;
  detector?: string;
  device?: string;
  ruleId?: string;
  /** Sort by time, newest first unless `asc`. */
  order?: 'asc' | 'desc';
}

export interface IncidentQuery extends Page {
  /** One state or any of several. */
  state?: IncidentState | IncidentState[];
  minSeverity?: Severity;
  device?: string;
  order?: 'severity' | 'last_seen' | 'first_seen';
}

export interface FlowQuery {
  since?: string;
  until?: string;
  src?: string;
  dst?: string;
  /** Either port (source or destination). */
  port?: number;
  exporter?: string;
}

export interface FlowTotals {
  bytes: number;
  packets: number;
  flows: number;
}

export const STORE_TABLES = ['events', 'flows', 'alerts', 'incidents'] as const;
export type StoreTable = (typeof STORE_TABLES)[number] | string;

/**
 * The one storage interface. The embedded DuckDB implementation is the default; the ClickHouse one
 * (scale-out) implements the same methods, and the same test suite runs against both.
 * Add methods here (not ad-hoc SQL in callers) so both backends stay in step.
 */
export interface Store {
  readonly kind: 'duckdb' | 'clickhouse';
  insertEvents(rows: readonly StoredEvent[]): Promise<void>;
  insertFlows(rows: readonly FlowRecord[]): Promise<void>;
  /** Inserts alerts, ignoring ids already stored; returns how many were new. */
  insertAlerts(rows: readonly Alert[]): Promise<number>;
  /** Like insertAlerts, but returns the alerts that were new (in input order). */
  insertNewAlerts(rows: readonly Alert[]): Promise<Alert[]>;
  /** Alert counts per time bucket (start, ISO) and detector. */
  alertBuckets(q: { since?: string; until?: string; bucketSeconds: number }): Promise<{ bucket: string; detector: string; count: number }[]>;
  /** Incident counts per severity, over the given states (all states when absent). */
  incidentCounts(states?: readonly IncidentState[]): Promise<Record<Severity, number>>;
  /** Flow totals per time bucket (by flow start). */
  flowSeries(q: FlowQuery & { bucketSeconds: number }): Promise<({ bucket: string } & FlowTotals)[]>;
  /** Top flow keys by bytes: `src`, `dst`, `pair` (`src > dst`), `port` (destination port/protocol). */
  flowTop(q: FlowQuery & { by: 'src' | 'dst' | 'pair' | 'port'; limit: number }): Promise<({ key: string } & FlowTotals)[]>;
  listAlerts(q: AlertQuery): Promise<{ total: number; items: Alert[] }>;
  getAlerts(ids: readonly string[]): Promise<Alert[]>;
  putIncident(inc: Incident): Promise<void>;
  getIncident(id: string): Promise<Incident | undefined>;
  listIncidents(q: IncidentQuery): Promise<{ total: number; items: Incident[] }>;
  /** Row count of a table (`events`, `flows`, `alerts`, `incidents`, or another the backend holds). */
  countRows(table: StoreTable): Promise<number>;
  /** Small documents by kind and key (tokens, models, device audits, cursors). */
  putDoc(kind: string, key: string, doc: unknown): Promise<void>;
  getDoc<T = unknown>(kind: string, key: string): Promise<T | undefined>;
  listDocs<T = unknown>(kind: string): Promise<{ key: string; doc: T }[]>;
  deleteDoc(kind: string, key: string): Promise<void>;
  close(): Promise<void>;
}
