import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Alert } from '../../model/alert.js';
import type { Incident, IncidentState } from '../../model/incident.js';
import type { FlowRecord } from '../../model/flow.js';
import { SEVERITIES, severityRank, type Severity } from '../../model/severity.js';
import type { AlertQuery, FlowQuery, FlowTotals, IncidentQuery, Store, StoredEvent, StoreTable } from '../store.js';
import { DUCKDB_SCHEMA } from './schema.js';

const SAFE_TABLE = /^[a-z_][a-z0-9_]*$/;

/** The embedded store: one DuckDB file (or `:memory:`). */
export class DuckDbStore implements Store {
  readonly kind = 'duckdb' as const;
  private constructor(private readonly instance: DuckDBInstance, readonly conn: DuckDBConnection) {}

  static async open(path: string): Promise<DuckDbStore> {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const instance = await DuckDBInstance.create(path);
    const conn = await instance.connect();
    for (const ddl of DUCKDB_SCHEMA) await conn.run(ddl);
    return new DuckDbStore(instance, conn);
  }

  async insertEvents(rows: readonly StoredEvent[]): Promise<void> {
    if (!rows.length) return;
    const ap = await this.conn.createAppender('events');
    for (const r of rows) {
      ap.appendVarchar(r.time);
      appendNullable(ap, r.host);
      ap.appendVarchar(r.source.file);
      if (r.source.line === undefined) ap.appendNull(); else ap.appendBigInt(BigInt(r.source.line));
      appendNullable(ap, r.source.listener);
      if (r.event === undefined) ap.appendNull(); else ap.appendVarchar(JSON.stringify(r.event));
      appendNullable(ap, r.raw);
      appendNullable(ap, r.error);
      ap.endRow();
    }
    ap.flushSync();
    ap.closeSync();
  }

  async insertFlows(rows: readonly FlowRecord[]): Promise<void> {
    if (!rows.length) return;
    const ap = await this.conn.createAppender('flows');
    for (const f of rows) {
      ap.appendVarchar(f.exporter);
      ap.appendVarchar(f.time_start);
      ap.appendVarchar(f.time_end);
      ap.appendVarchar(f.src_ip);
      ap.appendVarchar(f.dst_ip);
      ap.appendInteger(f.src_port);
      ap.appendInteger(f.dst_port);
      ap.appendSmallInt(f.protocol);
      ap.appendUBigInt(BigInt(Math.max(0, Math.trunc(f.bytes))));
      ap.appendUBigInt(BigInt(Math.max(0, Math.trunc(f.packets))));
      ap.appendInteger(f.input_if);
      ap.appendInteger(f.output_if);
      ap.appendSmallInt(f.tcp_flags);
      ap.appendSmallInt(f.version);
      if (f.sampling_rate === undefined) ap.appendNull(); else ap.appendInteger(f.sampling_rate);
      ap.endRow();
    }
    ap.flushSync();
    ap.closeSync();
  }

  async insertAlerts(rows: readonly Alert[]): Promise<number> {
    return (await this.insertNewAlerts(rows)).length;
  }

  async insertNewAlerts(rows: readonly Alert[]): Promise<Alert[]> {
    const byId = new Map<string, Alert>();
    for (const a of rows) if (!byId.has(a.id)) byId.set(a.id, a);
    const unique = [...byId.values()];
    const fresh = new Set<string>();
    // multi-row INSERT ... RETURNING in chunks: one statement per alert was the bottleneck at high alert rates
    for (let i = 0; i < unique.length; i += 256) {
      const chunk = unique.slice(i, i + 256);
      const params: (string | number | null)[] = [];
      const values = chunk.map((a) => {
        const b = params.length;
        params.push(a.id, a.time, a.detector, a.rule.id, a.severity, severityRank(a.severity), a.device ?? null, JSON.stringify(a));
        return `($${b + 1}, $${b + 2}::TIMESTAMPTZ, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8})`;
      });
      const r = await this.conn.runAndReadAll(`INSERT INTO alerts VALUES ${values.join(', ')} ON CONFLICT (id) DO NOTHING RETURNING id`, params);
      for (const row of r.getRowObjects()) fresh.add(String(row.id));
    }
    return unique.filter((a) => fresh.has(a.id));
  }

  async alertBuckets(q: { since?: string; until?: string; bucketSeconds: number }): Promise<{ bucket: string; detector: string; count: number }[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    const p = (v: string | number) => { params.push(v); return `$${params.length}`; };
    if (q.since) where.push(`time >= ${p(q.since)}::TIMESTAMPTZ`);
    if (q.until) where.push(`time < ${p(q.until)}::TIMESTAMPTZ`);
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const secs = Math.max(1, Math.trunc(q.bucketSeconds));
    const rows = (await this.conn.runAndReadAll(
      `SELECT epoch_ms(time_bucket(INTERVAL '${secs} seconds', time)) b, detector, count(*) n FROM alerts ${w} GROUP BY ALL ORDER BY b, detector`, params,
    )).getRowObjects();
    return rows.map((r) => ({ bucket: new Date(Number(r.b)).toISOString(), detector: String(r.detector), count: Number(r.n) }));
  }

  async incidentCounts(states?: readonly IncidentState[]): Promise<Record<Severity, number>> {
    const out = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
    const w = states?.length ? `WHERE state IN (SELECT unnest($1::VARCHAR[]))` : '';
    const rows = (await this.conn.runAndReadAll(`SELECT severity, count(*) n FROM incidents ${w} GROUP BY severity`, states?.length ? [listLiteral(states)] : [])).getRowObjects();
    for (const r of rows) if (String(r.severity) in out) out[String(r.severity) as Severity] = Number(r.n);
    return out;
  }

  private flowWhere(q: FlowQuery): { w: string; params: (string | number)[] } {
    const where: string[] = [];
    const params: (string | number)[] = [];
    const p = (v: string | number) => { params.push(v); return `$${params.length}`; };
    if (q.since) where.push(`time_start >= ${p(q.since)}::TIMESTAMPTZ`);
    if (q.until) where.push(`time_start < ${p(q.until)}::TIMESTAMPTZ`);
    if (q.src) where.push(`src_ip = ${p(q.src)}`);
    if (q.dst) where.push(`dst_ip = ${p(q.dst)}`);
    if (q.exporter) where.push(`exporter = ${p(q.exporter)}`);
    if (q.port !== undefined) { const x = p(q.port); where.push(`(src_port = ${x} OR dst_port = ${x})`); }
    return { w: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
  }

  async flowSeries(q: FlowQuery & { bucketSeconds: number }): Promise<({ bucket: string } & FlowTotals)[]> {
    const { w, params } = this.flowWhere(q);
    const secs = Math.max(1, Math.trunc(q.bucketSeconds));
    const rows = (await this.conn.runAndReadAll(
      `SELECT epoch_ms(time_bucket(INTERVAL '${secs} seconds', time_start)) b, sum(bytes)::DOUBLE bytes, sum(packets)::DOUBLE packets, count(*) flows
       FROM flows ${w} GROUP BY b ORDER BY b`, params,
    )).getRowObjects();
    return rows.map((r) => ({ bucket: new Date(Number(r.b)).toISOString(), bytes: Number(r.bytes), packets: Number(r.packets), flows: Number(r.flows) }));
  }

  async flowTop(q: FlowQuery & { by: 'src' | 'dst' | 'pair' | 'port'; limit: number }): Promise<({ key: string } & FlowTotals)[]> {
    const { w, params } = this.flowWhere(q);
    const key = q.by === 'src' ? 'src_ip' : q.by === 'dst' ? 'dst_ip' : q.by === 'pair' ? `src_ip || ' > ' || dst_ip`
      : `CAST(dst_port AS VARCHAR) || '/' || CASE protocol WHEN 6 THEN 'tcp' WHEN 17 THEN 'udp' ELSE CAST(protocol AS VARCHAR) END`;
    const rows = (await this.conn.runAndReadAll(
      `SELECT ${key} k, sum(bytes)::DOUBLE bytes, sum(packets)::DOUBLE packets, count(*) flows FROM flows ${w}
       GROUP BY k ORDER BY bytes DESC, k LIMIT ${Math.max(1, Math.min(1000, Math.trunc(q.limit)))}`, params,
    )).getRowObjects();
    return rows.map((r) => ({ key: String(r.k), bytes: Number(r.bytes), packets: Number(r.packets), flows: Number(r.flows) }));
  }

  async listAlerts(q: AlertQuery): Promise<{ total: number; items: Alert[] }> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    const p = (v: string | number) => { params.push(v); return `$${params.length}`; };
    if (q.since) where.push(`time >= ${p(q.since)}::TIMESTAMPTZ`);
    if (q.until) where.push(`time < ${p(q.until)}::TIMESTAMPTZ`);
    if (q.minSeverity) where.push(`severity_rank >= ${p(severityRank(q.minSeverity))}`);
    if (q.detector) where.push(`detector = ${p(q.detector)}`);
    if (q.device) where.push(`device = ${p(q.device)}`);
    if (q.ruleId) where.push(`rule_id = ${p(q.ruleId)}`);
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = Number((await this.conn.runAndReadAll(`SELECT count(*) n FROM alerts ${w}`, params)).getRowObjects()[0].n);
    const order = q.order === 'asc' ? 'ASC' : 'DESC';
    const rows = (await this.conn.runAndReadAll(
      `SELECT doc FROM alerts ${w} ORDER BY time ${order}, id LIMIT ${Math.max(0, q.limit ?? 100)} OFFSET ${Math.max(0, q.offset ?? 0)}`, params,
    )).getRowObjects();
    return { total, items: rows.map((r) => JSON.parse(String(r.doc)) as Alert) };
  }

  async getAlerts(ids: readonly string[]): Promise<Alert[]> {
    if (!ids.length) return [];
    const rows = (await this.conn.runAndReadAll(
      `SELECT doc FROM alerts WHERE id IN (SELECT unnest($1::VARCHAR[])) ORDER BY time`, [listLiteral(ids)],
    )).getRowObjects();
    return rows.map((r) => JSON.parse(String(r.doc)) as Alert);
  }

  async putIncident(inc: Incident): Promise<void> {
    await this.conn.run(
      `INSERT OR REPLACE INTO incidents VALUES ($1, $2, $3, $4, $5::TIMESTAMPTZ, $6::TIMESTAMPTZ, $7::VARCHAR[], $8)`,
      [inc.id, inc.state, inc.severity, severityRank(inc.severity), inc.first_seen, inc.last_seen, listLiteral(inc.devices), JSON.stringify(inc)],
    );
  }

  async getIncident(id: string): Promise<Incident | undefined> {
    const rows = (await this.conn.runAndReadAll(`SELECT doc FROM incidents WHERE id = $1`, [id])).getRowObjects();
    return rows.length ? (JSON.parse(String(rows[0].doc)) as Incident) : undefined;
  }

  async listIncidents(q: IncidentQuery): Promise<{ total: number; items: Incident[] }> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    const p = (v: string | number) => { params.push(v); return `$${params.length}`; };
    if (Array.isArray(q.state)) { if (q.state.length) where.push(`state IN (SELECT unnest(${p(listLiteral(q.state))}::VARCHAR[]))`); }
    else if (q.state) where.push(`state = ${p(q.state)}`);
    if (q.minSeverity) where.push(`severity_rank >= ${p(severityRank(q.minSeverity))}`);
    if (q.device) where.push(`list_contains(devices, ${p(q.device)})`);
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = Number((await this.conn.runAndReadAll(`SELECT count(*) n FROM incidents ${w}`, params)).getRowObjects()[0].n);
    const order = q.order === 'first_seen' ? 'first_seen DESC' : q.order === 'last_seen' ? 'last_seen DESC' : 'severity_rank DESC, last_seen DESC';
    const rows = (await this.conn.runAndReadAll(
      `SELECT doc FROM incidents ${w} ORDER BY ${order}, id LIMIT ${Math.max(0, q.limit ?? 100)} OFFSET ${Math.max(0, q.offset ?? 0)}`, params,
    )).getRowObjects();
    return { total, items: rows.map((r) => JSON.parse(String(r.doc)) as Incident) };
  }

  async countRows(table: StoreTable): Promise<number> {
    if (!SAFE_TABLE.test(table)) throw new Error(`invalid table name: ${table}`);
    const r = await this.conn.runAndReadAll(`SELECT count(*) n FROM ${table}`);
    return Number(r.getRowObjects()[0].n);
  }

  async putDoc(kind: string, key: string, doc: unknown): Promise<void> {
    await this.conn.run(`INSERT OR REPLACE INTO docs VALUES ($1, $2, $3, now())`, [kind, key, JSON.stringify(doc)]);
  }

  async getDoc<T = unknown>(kind: string, key: string): Promise<T | undefined> {
    const rows = (await this.conn.runAndReadAll(`SELECT doc FROM docs WHERE kind = $1 AND key = $2`, [kind, key])).getRowObjects();
    return rows.length ? (JSON.parse(String(rows[0].doc)) as T) : undefined;
  }

  async listDocs<T = unknown>(kind: string): Promise<{ key: string; doc: T }[]> {
    const rows = (await this.conn.runAndReadAll(`SELECT key, doc FROM docs WHERE kind = $1 ORDER BY key`, [kind])).getRowObjects();
    return rows.map((r) => ({ key: String(r.key), doc: JSON.parse(String(r.doc)) as T }));
  }

  async deleteDoc(kind: string, key: string): Promise<void> {
    await this.conn.run(`DELETE FROM docs WHERE kind = $1 AND key = $2`, [kind, key]);
  }

  async close(): Promise<void> {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

function appendNullable(ap: { appendVarchar(v: string): void; appendNull(): void }, v: string | undefined): void {
  if (v === undefined || v === null) ap.appendNull(); else ap.appendVarchar(v);
}

/** DuckDB list literal for a VARCHAR[] parameter passed as text. */
function listLiteral(items: readonly string[]): string {
  return '[' + items.map((s) => `'${s.replace(/'/g, "''")}'`).join(', ') + ']';
}
