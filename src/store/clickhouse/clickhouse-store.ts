import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type { Alert } from '../../model/alert.js';
import type { Incident } from '../../model/incident.js';
import type { FlowRecord } from '../../model/flow.js';
import { severityRank } from '../../model/severity.js';
import type { AlertQuery, FlowQuery, FlowTotals, IncidentQuery, Store, StoredEvent, StoreTable } from '../store.js';
import { SEVERITIES, type Severity } from '../../model/severity.js';
import type { IncidentState } from '../../model/incident.js';
import { clickhouseSchema } from './schema.js';
import { day, IDENT, ms, num, str, strList } from './sql.js';

export interface ClickHouseOptions {
  /** HTTP endpoint, optionally with `user:password@`, e.g. http://default:pw@127.0.0.1:8123 */
  url: string;
  database?: string;
}

/**
 * The scale-out store: the same Store interface as the embedded DuckDB store, over a shared ClickHouse server.
 * Rows are inserted as JSONEachRow batches; reads of alerts, incidents and docs use FINAL so rows replaced or
 * delivered twice count once.
 */
export class ClickHouseStore implements Store {
  readonly kind = 'clickhouse' as const;
  private constructor(readonly client: ClickHouseClient, readonly db: string) {}

  static async open(opts: ClickHouseOptions): Promise<ClickHouseStore> {
    const u = new URL(opts.url);
    const username = decodeURIComponent(u.username || 'default');
    const password = decodeURIComponent(u.password || '');
    u.username = '';
    u.password = '';
    const db = opts.database ?? 'tidewatch';
    if (!IDENT.test(db)) throw new Error(`invalid ClickHouse database name: ${db}`);
    const client = createClient({ url: u.toString().replace(/\/$/, ''), username, password, request_timeout: 60000 });
    for (const ddl of clickhouseSchema(db)) await client.command({ query: ddl });
    return new ClickHouseStore(client, db);
  }

  private async rows<T>(query: string): Promise<T[]> {
    const r = await this.client.query({ query, format: 'JSONEachRow' });
    return (await r.json()) as T[];
  }

  async insertEvents(rows: readonly StoredEvent[]): Promise<void> {
    if (!rows.length) return;
    await this.client.insert({
      table: `${this.db}.events`, format: 'JSONEachRow',
      values: rows.map((r) => {
        const ts = ms(r.time);
        return {
          day: day(ts), ts, host: r.host ?? '', src_file: r.source.file, src_line: r.source.line ?? 0,
          listener: r.source.listener ?? '', event: r.event === undefined ? '' : JSON.stringify(r.event),
          raw: r.raw ?? '', error: r.error ?? '',
        };
      }),
    });
  }

  async insertFlows(rows: readonly FlowRecord[]): Promise<void> {
    if (!rows.length) return;
    await this.client.insert({
      table: `${this.db}.flows`, format: 'JSONEachRow',
      values: rows.map((f) => {
        const ts = ms(f.time_start);
        return {
          day: day(ts), ts_start: ts, ts_end: ms(f.time_end), exporter: f.exporter, src_ip: f.src_ip, dst_ip: f.dst_ip,
          src_port: f.src_port, dst_port: f.dst_port, protocol: f.protocol, bytes: Math.max(0, Math.trunc(f.bytes)),
          packets: Math.max(0, Math.trunc(f.packets)), input_if: f.input_if, output_if: f.output_if, tcp_flags: f.tcp_flags,
          version: f.version, sampling_rate: f.sampling_rate ?? 0,
        };
      }),
    });
  }

  async insertAlerts(rows: readonly Alert[]): Promise<number> {
    return (await this.insertNewAlerts(rows)).length;
  }

  async insertNewAlerts(rows: readonly Alert[]): Promise<Alert[]> {
    if (!rows.length) return [];
    const unique = new Map<string, Alert>();
    for (const a of rows) if (!unique.has(a.id)) unique.set(a.id, a);
    const existing = new Set<string>();
    const ids = [...unique.keys()];
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000);
      for (const r of await this.rows<{ id: string }>(`SELECT id FROM ${this.db}.alerts FINAL WHERE id IN ${tuple(chunk)}`)) existing.add(r.id);
    }
    const fresh = [...unique.values()].filter((a) => !existing.has(a.id));
    if (!fresh.length) return [];
    await this.client.insert({
      table: `${this.db}.alerts`, format: 'JSONEachRow',
      values: fresh.map((a) => {
        const ts = ms(a.time);
        return {
          day: day(ts), ts, id: a.id, detector: a.detector, rule_id: a.rule.id, severity: a.severity,
          severity_rank: severityRank(a.severity), device: a.device ?? '', doc: JSON.stringify(a),
        };
      }),
    });
    return fresh;
  }

  async alertBuckets(q: { since?: string; until?: string; bucketSeconds: number }): Promise<{ bucket: string; detector: string; count: number }[]> {
    const step = Math.max(1, Math.trunc(q.bucketSeconds)) * 1000;
    const w: string[] = [];
    // Whole-minute buckets read the materialized per-minute aggregate; others scan the alerts.
    const fromMv = step % 60000 === 0;
    const col = fromMv ? 'minute' : 'ts';
    if (q.since) w.push(`${col} >= ${num(fromMv ? Math.floor(ms(q.since) / 60000) * 60000 : ms(q.since))}`);
    if (q.until) w.push(`${col} < ${num(ms(q.until))}`);
    const where = w.length ? `WHERE ${w.join(' AND ')}` : '';
    const sql = fromMv
      ? `SELECT intDiv(minute, ${step}) * ${step} AS b, detector, sum(alerts) AS n FROM ${this.db}.alerts_per_minute ${where} GROUP BY b, detector ORDER BY b, detector`
      : `SELECT intDiv(ts, ${step}) * ${step} AS b, detector, count() AS n FROM ${this.db}.alerts FINAL ${where} GROUP BY b, detector ORDER BY b, detector`;
    const rows = await this.rows<{ b: string; detector: string; n: string }>(sql);
    return rows.map((r) => ({ bucket: new Date(Number(r.b)).toISOString(), detector: r.detector, count: Number(r.n) }));
  }

  async incidentCounts(states?: readonly IncidentState[]): Promise<Record<Severity, number>> {
    const out = Object.fromEntries(SEVERITIES.map((x) => [x, 0])) as Record<Severity, number>;
    const where = states?.length ? `WHERE state IN (${states.map(str).join(',')})` : '';
    const rows = await this.rows<{ severity: string; n: string }>(`SELECT severity, count() AS n FROM ${this.db}.incidents FINAL ${where} GROUP BY severity`);
    for (const r of rows) if (r.severity in out) out[r.severity as Severity] = Number(r.n);
    return out;
  }

  private flowWhere(q: FlowQuery): string {
    const w: string[] = [];
    if (q.since) w.push(`ts_start >= ${num(ms(q.since))}`);
    if (q.until) w.push(`ts_start < ${num(ms(q.until))}`);
    if (q.src) w.push(`src_ip = ${str(q.src)}`);
    if (q.dst) w.push(`dst_ip = ${str(q.dst)}`);
    if (q.exporter) w.push(`exporter = ${str(q.exporter)}`);
    if (q.port !== undefined) w.push(`(src_port = ${num(q.port)} OR dst_port = ${num(q.port)})`);
    return w.length ? `WHERE ${w.join(' AND ')}` : '';
  }

  async flowSeries(q: FlowQuery & { bucketSeconds: number }): Promise<({ bucket: string } & FlowTotals)[]> {
    const step = Math.max(1, Math.trunc(q.bucketSeconds)) * 1000;
    const fromMv = step % 60000 === 0 && !q.src && !q.dst && q.port === undefined;
    let sql: string;
    if (fromMv) {
      const w: string[] = [];
      if (q.since) w.push(`minute >= ${num(Math.floor(ms(q.since) / 60000) * 60000)}`);
      if (q.until) w.push(`minute < ${num(ms(q.until))}`);
      if (q.exporter) w.push(`exporter = ${str(q.exporter)}`);
      const where = w.length ? `WHERE ${w.join(' AND ')}` : '';
      sql = `SELECT intDiv(minute, ${step}) * ${step} AS b, sum(bytes) AS bytes, sum(packets) AS packets, sum(flows) AS flows FROM ${this.db}.flows_per_minute ${where} GROUP BY b ORDER BY b`;
    } else {
      sql = `SELECT intDiv(ts_start, ${step}) * ${step} AS b, sum(bytes) AS bytes, sum(packets) AS packets, count() AS flows FROM ${this.db}.flows ${this.flowWhere(q)} GROUP BY b ORDER BY b`;
    }
    const rows = await this.rows<{ b: string; bytes: string; packets: string; flows: string }>(sql);
    return rows.map((r) => ({ bucket: new Date(Number(r.b)).toISOString(), bytes: Number(r.bytes), packets: Number(r.packets), flows: Number(r.flows) }));
  }

  async flowTop(q: FlowQuery & { by: 'src' | 'dst' | 'pair' | 'port'; limit: number }): Promise<({ key: string } & FlowTotals)[]> {
    const key = q.by === 'src' ? 'src_ip' : q.by === 'dst' ? 'dst_ip' : q.by === 'pair' ? `concat(src_ip, ' > ', dst_ip)`
      : `concat(toString(dst_port), '/', multiIf(protocol = 6, 'tcp', protocol = 17, 'udp', toString(protocol)))`;
    const limit = Math.max(1, Math.min(1000, Math.trunc(q.limit)));
    const rows = await this.rows<{ k: string; bytes: string; packets: string; flows: string }>(
      `SELECT ${key} AS k, sum(bytes) AS bytes, sum(packets) AS packets, count() AS flows FROM ${this.db}.flows ${this.flowWhere(q)} GROUP BY k ORDER BY bytes DESC, k LIMIT ${limit}`,
    );
    return rows.map((r) => ({ key: r.k, bytes: Number(r.bytes), packets: Number(r.packets), flows: Number(r.flows) }));
  }

  private alertWhere(q: AlertQuery): string {
    const w: string[] = [];
    if (q.since) w.push(`ts >= ${num(ms(q.since))}`);
    if (q.until) w.push(`ts < ${num(ms(q.until))}`);
    if (q.minSeverity) w.push(`severity_rank >= ${severityRank(q.minSeverity)}`);
    if (q.detector) w.push(`detector = ${str(q.detector)}`);
    if (q.device) w.push(`device = ${str(q.device)}`);
    if (q.ruleId) w.push(`rule_id = ${str(q.ruleId)}`);
    return w.length ? `WHERE ${w.join(' AND ')}` : '';
  }

  async listAlerts(q: AlertQuery): Promise<{ total: number; items: Alert[] }> {
    const w = this.alertWhere(q);
    const total = Number((await this.rows<{ n: string }>(`SELECT count() AS n FROM ${this.db}.alerts FINAL ${w}`))[0]?.n ?? 0);
    const order = q.order === 'asc' ? 'ASC' : 'DESC';
    const items = await this.rows<{ doc: string }>(
      `SELECT doc FROM ${this.db}.alerts FINAL ${w} ORDER BY ts ${order}, id LIMIT ${num(Math.max(0, q.offset ?? 0))}, ${num(Math.max(0, q.limit ?? 100))}`,
    );
    return { total, items: items.map((r) => JSON.parse(r.doc) as Alert) };
  }

  async getAlerts(ids: readonly string[]): Promise<Alert[]> {
    if (!ids.length) return [];
    const out: Alert[] = [];
    for (let i = 0; i < ids.length; i += 1000) {
      const rows = await this.rows<{ doc: string }>(`SELECT doc FROM ${this.db}.alerts FINAL WHERE id IN ${tuple(ids.slice(i, i + 1000))} ORDER BY ts`);
      out.push(...rows.map((r) => JSON.parse(r.doc) as Alert));
    }
    return out.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  }

  private version = 0;
  /** Monotonic version per process, so two updates within one millisecond still replace in order. */
  private nextVersion(): number {
    const now = Date.now() * 1000;
    this.version = Math.max(this.version + 1, now);
    return this.version;
  }

  async putIncident(inc: Incident): Promise<void> {
    await this.client.insert({
      table: `${this.db}.incidents`, format: 'JSONEachRow',
      values: [{
        id: inc.id, version: this.nextVersion(), state: inc.state, severity: inc.severity, severity_rank: severityRank(inc.severity),
        first_seen: ms(inc.first_seen), last_seen: ms(inc.last_seen), devices: inc.devices, doc: JSON.stringify(inc),
      }],
    });
  }

  async getIncident(id: string): Promise<Incident | undefined> {
    const rows = await this.rows<{ doc: string }>(`SELECT doc FROM ${this.db}.incidents FINAL WHERE id = ${str(id)}`);
    return rows.length ? (JSON.parse(rows[0].doc) as Incident) : undefined;
  }

  async listIncidents(q: IncidentQuery): Promise<{ total: number; items: Incident[] }> {
    const w: string[] = [];
    if (Array.isArray(q.state)) { if (q.state.length) w.push(`state IN (${q.state.map(str).join(',')})`); }
    else if (q.state) w.push(`state = ${str(q.state)}`);
    if (q.minSeverity) w.push(`severity_rank >= ${severityRank(q.minSeverity)}`);
    if (q.device) w.push(`has(devices, ${str(q.device)})`);
    const where = w.length ? `WHERE ${w.join(' AND ')}` : '';
    const total = Number((await this.rows<{ n: string }>(`SELECT count() AS n FROM ${this.db}.incidents FINAL ${where}`))[0]?.n ?? 0);
    const order = q.order === 'first_seen' ? 'first_seen DESC' : q.order === 'last_seen' ? 'last_seen DESC' : 'severity_rank DESC, last_seen DESC';
    const rows = await this.rows<{ doc: string }>(
      `SELECT doc FROM ${this.db}.incidents FINAL ${where} ORDER BY ${order}, id LIMIT ${num(Math.max(0, q.offset ?? 0))}, ${num(Math.max(0, q.limit ?? 100))}`,
    );
    return { total, items: rows.map((r) => JSON.parse(r.doc) as Incident) };
  }

  async countRows(table: StoreTable): Promise<number> {
    if (!IDENT.test(table)) throw new Error(`invalid table name: ${table}`);
    const final = ['alerts', 'incidents'].includes(table) ? ' FINAL' : '';
    const where = table === 'docs' ? ' WHERE deleted = 0' : '';
    const r = await this.rows<{ n: string }>(`SELECT count() AS n FROM ${this.db}.${table}${final}${where}`);
    return Number(r[0]?.n ?? 0);
  }

  async putDoc(kind: string, key: string, doc: unknown): Promise<void> {
    await this.client.insert({
      table: `${this.db}.docs`, format: 'JSONEachRow',
      values: [{ kind, key, version: this.nextVersion(), deleted: 0, doc: JSON.stringify(doc) }],
    });
  }

  async getDoc<T = unknown>(kind: string, key: string): Promise<T | undefined> {
    const rows = await this.rows<{ doc: string; deleted: number }>(
      `SELECT doc, deleted FROM ${this.db}.docs FINAL WHERE kind = ${str(kind)} AND key = ${str(key)}`,
    );
    return rows.length && !Number(rows[0].deleted) ? (JSON.parse(rows[0].doc) as T) : undefined;
  }

  async listDocs<T = unknown>(kind: string): Promise<{ key: string; doc: T }[]> {
    const rows = await this.rows<{ key: string; doc: string }>(
      `SELECT key, doc FROM ${this.db}.docs FINAL WHERE kind = ${str(kind)} AND deleted = 0 ORDER BY key`,
    );
    return rows.map((r) => ({ key: r.key, doc: JSON.parse(r.doc) as T }));
  }

  async deleteDoc(kind: string, key: string): Promise<void> {
    await this.client.insert({
      table: `${this.db}.docs`, format: 'JSONEachRow',
      values: [{ kind, key, version: this.nextVersion(), deleted: 1, doc: 'null' }],
    });
  }

  /**
   * Retention without TTL clauses (unsupported by the 18.x servers we test): drops whole day partitions of
   * `table` older than `days`. Returns the partitions dropped.
   */
  async applyRetention(table: 'events' | 'flows' | 'alerts', days: number): Promise<string[]> {
    const cutoff = day(Date.now() - days * 86400000);
    const parts = await this.rows<{ partition: string }>(
      `SELECT DISTINCT partition FROM system.parts WHERE database = ${str(this.db)} AND table = ${str(table)} AND active`,
    );
    const dropped: string[] = [];
    for (const p of parts) {
      const d = p.partition.replace(/'/g, '');
      if (d < cutoff) {
        await this.client.command({ query: `ALTER TABLE ${this.db}.${table} DROP PARTITION ${str(d)}` });
        dropped.push(d);
      }
    }
    return dropped;
  }

  /** Per-minute alert counts from the materialized aggregate (console time series). */
  async alertSeries(sinceIso: string): Promise<{ minute: string; detector: string; count: number }[]> {
    const rows = await this.rows<{ minute: string; detector: string; n: string }>(
      `SELECT minute, detector, sum(alerts) AS n FROM ${this.db}.alerts_per_minute WHERE minute >= ${num(ms(sinceIso))} GROUP BY minute, detector ORDER BY minute`,
    );
    return rows.map((r) => ({ minute: new Date(Number(r.minute)).toISOString(), detector: r.detector, count: Number(r.n) }));
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

function tuple(vs: readonly string[]): string {
  return `(${vs.map(str).join(',')})`;
}
export { strList };
