import type { Alert } from '../model/alert.js';
import type { Incident, IncidentState } from '../model/incident.js';
import type { FlowRecord } from '../model/flow.js';
import type { Event, SourceRef } from '../model/event.js';
import type { EventColumns } from './columns.js';
import type { Severity } from '../model/severity.js';
import type { ImportOutcome, IndicatorRecord, IntelObject, IntelQuery } from '../model/indicator.js';

/** An event as stored: the normalized event, where it came from, and whether it parsed. */
export interface StoredEvent {
  time: string;
  host?: string;
  source: SourceRef & { listener?: string };
  event?: Event;
  /**
   * The line as received: kept when parsing failed (`unparsed`), so nothing accepted is lost, and the only form of
   * the event in rows `tidewatch serve` writes (its event is derived again on read: src/serve/stored-events.ts).
   */
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
  /** Alerts naming this address in entities.ips. */
  ip?: string;
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

/** A stored STIX object with the time (ISO 8601, microseconds) it was added or last updated in the store. */
export type StoredIntelObject = IntelObject & { added: string };

/** One object version held in a TAXII collection. */
export interface TaxiiObject {
  id: string;
  /** The object's `modified` (or `created`, or a fixed time for objects without either). */
  version: string;
  type: string;
  spec_version: string;
  /** When the collection received it: ISO 8601 UTC with microseconds, unique within the collection. */
  date_added: string;
  doc: Record<string, unknown>;
}

export interface TaxiiQuery {
  /** Only objects added strictly after this time (ISO 8601, microseconds honoured). */
  addedAfter?: string;
  /** Keyset cursor from a previous page (opaque to callers; produced by listTaxiiObjects). */
  after?: string;
  limit?: number;
  ids?: string[];
  types?: string[];
  /** `last` (default), `first`, `all`, or exact version timestamps. */
  versions?: 'last' | 'first' | 'all' | string[];
  specVersions?: string[];
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

/** What the live pipeline writes per batch (see Store.commitBatch). */
export interface CommitBatch {
  events: readonly StoredEvent[];
  /** More events of the batch, already in columns (the live pipeline's form, src/store/columns.ts); stored after `events`. */
  columns?: EventColumns;
  /** Data handed over earlier by Store.stage (the ids it returned, in order), stored after `events` and `columns`. */
  staged?: number[];
  flows: readonly FlowRecord[];
  /** A small document stored in the same transaction (the write-ahead-log checkpoint). */
  checkpoint?: { kind: string; key: string; doc: unknown };
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
  /**
   * Stores a batch of events and flows and its checkpoint document in one transaction where the backend allows
   * (DuckDB does; a backend that cannot must store the checkpoint last, giving at-least-once instead of exactly-once).
   */
  commitBatch(b: CommitBatch): Promise<void>;
  /**
   * Optional: hands a batch's events and flows to the backend ahead of its commit (the store thread copies them at
   * once, so the caller does not hold them while earlier commits finish); commitBatch({ staged: id, ... }) stores them.
   */
  stage?(b: Pick<CommitBatch, 'events' | 'columns' | 'flows'>): number;
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
  /**
   * Threat intel: stores STIX objects by id. A newer `modified` replaces the stored version ('updated'); the same
   * content, or an older version, changes nothing ('skipped'); one outcome per row, in order.
   */
  putIntelObjects(rows: readonly IntelObject[]): Promise<ImportOutcome[]>;
  listIntelObjects(q: IntelQuery): Promise<{ total: number; items: StoredIntelObject[] }>;
  /** Indicators with their columns only (no documents), for loading the matcher. */
  listIndicators(q?: { liveAt?: string }): Promise<IndicatorRecord[]>;
  /** TAXII collections: adds object versions (an id+version already held is left alone); returns how many were new. */
  putTaxiiObjects(collection: string, objects: readonly Record<string, unknown>[]): Promise<{ added: number; skipped: number; items: TaxiiObject[] }>;
  /** A page of a collection's objects ordered by date added; `next` is set when more remain. */
  listTaxiiObjects(collection: string, q: TaxiiQuery): Promise<{ items: TaxiiObject[]; next?: string }>;
  deleteTaxiiObject(collection: string, id: string, versions?: string[]): Promise<number>;
  close(): Promise<void>;
}
