import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type { Alert } from '../../model/alert.js';
import type { Incident } from '../../model/incident.js';
import type { FlowRecord } from '../../model/flow.js';
import { severityRank } from '../../model/severity.js';
import type { AlertQuery, CommitBatch, FlowQuery, FlowTotals, IncidentQuery, Store, StoredEvent, StoreTable } from '../store.js';
import { SEVERITIES, type Severity } from '../../model/severity.js';
import type { IncidentState } from '../../model/incident.js';
import { clickhouseSchema } from './schema.js';
import { day, IDENT, ms, num, str, strList } from './sql.js';
import type { StoredIntelObject, TaxiiObject, TaxiiQuery } from '../store.js';
import type { ImportOutcome, IndicatorRecord, IntelObject, IntelQuery } from '../../model/indicator.js';
import { contentHash, decodeCursor, encodeCursor, taxiiVersion } from '../intel-common.js';
import { eventRowsOf } from '../columns.js';
import { isoToMicros, microsToIso } from '../../util/time.js';

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

  /** No transactions here: events and flows first, the checkpoint last (at-least-once after a crash). */
  async commitBatch(b: CommitBatch): Promise<void> {
    await this.insertEvents(b.columns ? [...b.events, ...eventRowsOf(b.columns)] : b.events);
    await this.insertFlows(b.flows);
    if (b.checkpoint) await this.putDoc(b.checkpoint.kind, b.checkpoint.key, b.checkpoint.doc);
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
    // ClickHouse 18.16 has no JSON path functions: match the address as a quoted string anywhere in the alert
    if (q.ip) w.push(`position(doc, ${str(JSON.stringify(q.ip))}) > 0`);
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

  async putIntelObjects(rows: readonly IntelObject[]): Promise<ImportOutcome[]> {
    const out: ImportOutcome[] = new Array(rows.length);
    const have = new Map<string, { modified: number; hash: string }>();
    const ids = [...new Set(rows.map((r) => r.id))];
    for (let i = 0; i < ids.length; i += 1000) {
      const found = await this.rows<{ id: string; modified: string; hash: string }>(
        `SELECT id, modified, hash FROM ${this.db}.intel_objects FINAL WHERE id IN ${tuple(ids.slice(i, i + 1000))}`);
      for (const f of found) have.set(f.id, { modified: isoToMicros(f.modified), hash: f.hash });
    }
    const write = new Map<string, { row: IntelObject; hash: string }>();
    rows.forEach((r, i) => {
      const hash = contentHash(r);
      const m = isoToMicros(r.modified);
      const prev = have.get(r.id);
      if (prev && (prev.hash === hash || !(m > prev.modified))) { out[i] = 'skipped'; return; }
      out[i] = prev ? 'updated' : 'added';
      have.set(r.id, { modified: m, hash });
      write.set(r.id, { row: r, hash });
    });
    if (!write.size) return out;
    const added = this.nextVersion();
    const values = [...write.values()].map(({ row: r, hash }) => {
      const vf = r.valid_from ? Date.parse(r.valid_from) : NaN, vu = r.valid_until ? Date.parse(r.valid_until) : NaN;
      return {
        id: r.id, version: this.nextVersion(), type: r.type, modified: r.modified, modified_us: Math.max(0, isoToMicros(r.modified) || 0), source: r.source,
        added_us: added, revoked: r.revoked ? 1 : 0, valid_from_ms: Number.isNaN(vf) ? null : vf, valid_until_ms: Number.isNaN(vu) ? null : vu,
        confidence: r.confidence ?? null, hash, pattern: r.pattern ?? null, name: r.name ?? null, labels: JSON.stringify(r.labels ?? []),
        attack: JSON.stringify(r.attack ?? []), actors: JSON.stringify(r.actors ?? []), tlp: r.tlp ?? null, doc: JSON.stringify(r.doc),
      };
    });
    for (let i = 0; i < values.length; i += 20000) {
      await this.client.insert({ table: `${this.db}.intel_objects`, format: 'JSONEachRow', values: values.slice(i, i + 20000) });
    }
    return out;
  }

  private intelWhere(q: IntelQuery): string {
    const w: string[] = [];
    if (q.types?.length) w.push(`type IN ${tuple(q.types)}`);
    if (q.ids?.length) w.push(`id IN ${tuple(q.ids)}`);
    if (q.source) w.push(`source = ${str(q.source)}`);
    if (q.q) { const like = str('%' + q.q.toLowerCase().replace(/[%_\\]/g, (c) => '\\' + c) + '%'); w.push(`(lower(id) LIKE ${like} OR lower(ifNull(name, '')) LIKE ${like} OR lower(ifNull(pattern, '')) LIKE ${like})`); }
    if (q.liveAt) { const t = num(ms(q.liveAt)); w.push(`revoked = 0 AND ifNull(valid_from_ms, -1e300) <= ${t} AND ifNull(valid_until_ms, 1e300) > ${t}`); }
    if (q.addedAfter) w.push(`added_us > ${num(isoToMicros(q.addedAfter))}`);
    return w.length ? `WHERE ${w.join(' AND ')}` : '';
  }

  async listIntelObjects(q: IntelQuery): Promise<{ total: number; items: StoredIntelObject[] }> {
    const w = this.intelWhere(q);
    const total = Number((await this.rows<{ n: string }>(`SELECT count() AS n FROM ${this.db}.intel_objects FINAL ${w}`))[0]?.n ?? 0);
    type Row = { id: string; type: string; modified: string; source: string; added_us: string; revoked: number; valid_from_ms: number | null; valid_until_ms: number | null;
      confidence: number | null; pattern: string | null; name: string | null; labels: string; attack: string; actors: string; tlp: string | null; doc: string };
    const rows = await this.rows<Row>(
      `SELECT id, type, modified, source, added_us, revoked, valid_from_ms, valid_until_ms, confidence, pattern, name, labels, attack, actors, tlp, doc
       FROM ${this.db}.intel_objects FINAL ${w} ORDER BY added_us, id LIMIT ${num(Math.max(0, q.offset ?? 0))}, ${num(Math.max(0, q.limit ?? 100))}`);
    return {
      total,
      items: rows.map((r) => ({
        id: r.id, type: r.type, modified: r.modified, source: r.source, added: microsToIso(Number(r.added_us)), revoked: Boolean(Number(r.revoked)),
        valid_from: r.valid_from_ms === null ? undefined : new Date(Number(r.valid_from_ms)).toISOString(),
        valid_until: r.valid_until_ms === null ? undefined : new Date(Number(r.valid_until_ms)).toISOString(),
        confidence: r.confidence === null ? undefined : Number(r.confidence), pattern: r.pattern ?? undefined, name: r.name ?? undefined,
        labels: JSON.parse(r.labels || '[]'), attack: JSON.parse(r.attack || '[]'), actors: JSON.parse(r.actors || '[]'), tlp: r.tlp ?? undefined,
        doc: JSON.parse(r.doc) as Record<string, unknown>,
      })),
    };
  }

  async listIndicators(q: { liveAt?: string } = {}): Promise<IndicatorRecord[]> {
    type Row = { id: string; pattern: string | null; name: string | null; source: string; confidence: number | null; valid_from_ms: number | null; valid_until_ms: number | null;
      revoked: number; modified: string; labels: string; attack: string; actors: string; tlp: string | null };
    const rows = await this.rows<Row>(
      `SELECT id, pattern, name, source, confidence, valid_from_ms, valid_until_ms, revoked, modified, labels, attack, actors, tlp
       FROM ${this.db}.intel_objects FINAL ${this.intelWhere({ types: ['indicator'], liveAt: q.liveAt })}`);
    return rows.map((r) => ({
      id: r.id, pattern: r.pattern ?? '', name: r.name ?? undefined, source: r.source, confidence: r.confidence === null ? undefined : Number(r.confidence),
      valid_from: r.valid_from_ms === null ? undefined : new Date(Number(r.valid_from_ms)).toISOString(),
      valid_until: r.valid_until_ms === null ? undefined : new Date(Number(r.valid_until_ms)).toISOString(),
      revoked: Boolean(Number(r.revoked)), modified: r.modified, labels: JSON.parse(r.labels || '[]'), attack: JSON.parse(r.attack || '[]'),
      actors: JSON.parse(r.actors || '[]'), tlp: r.tlp ?? undefined,
    }));
  }

  async putTaxiiObjects(collection: string, objects: readonly Record<string, unknown>[]): Promise<{ added: number; skipped: number; items: TaxiiObject[] }> {
    const keyOf = (id: string, v: string) => `${id}\n${v}`;
    const existing = new Set<string>();
    const ids = [...new Set(objects.map((o) => String(o.id)))];
    for (let i = 0; i < ids.length; i += 1000) {
      for (const r of await this.rows<{ id: string; version: string }>(
        `SELECT id, version FROM ${this.db}.taxii_objects FINAL WHERE collection = ${str(collection)} AND id IN ${tuple(ids.slice(i, i + 1000))}`)) existing.add(keyOf(r.id, r.version));
    }
    const items: TaxiiObject[] = [];
    const values: Record<string, unknown>[] = [];
    let skipped = 0;
    for (const doc of objects) {
      const id = String(doc.id), version = taxiiVersion(doc);
      if (existing.has(keyOf(id, version))) { skipped++; continue; }
      existing.add(keyOf(id, version));
      const us = this.nextVersion();
      const spec = String(doc.spec_version ?? '2.1');
      values.push({ collection, id, version, version_us: Math.max(0, isoToMicros(version) || 0), type: String(doc.type), spec_version: spec, date_added_us: us, doc: JSON.stringify(doc) });
      items.push({ id, version, type: String(doc.type), spec_version: spec, date_added: microsToIso(us), doc });
    }
    if (values.length) await this.client.insert({ table: `${this.db}.taxii_objects`, format: 'JSONEachRow', values });
    return { added: items.length, skipped, items };
  }

  async listTaxiiObjects(collection: string, q: TaxiiQuery): Promise<{ items: TaxiiObject[]; next?: string }> {
    const base: string[] = [`collection = ${str(collection)}`];
    if (q.ids?.length) base.push(`id IN ${tuple(q.ids)}`);
    if (q.types?.length) base.push(`type IN ${tuple(q.types)}`);
    if (q.specVersions?.length) base.push(`spec_version IN ${tuple(q.specVersions)}`);
    const w = [...base];
    const versions = q.versions ?? 'last';
    const src = `${this.db}.taxii_objects FINAL`;
    if (versions === 'last' || versions === 'first') {
      w.push(`(id, version_us) IN (SELECT id, ${versions === 'last' ? 'max' : 'min'}(version_us) FROM ${src} WHERE ${base.join(' AND ')} GROUP BY id)`);
    } else if (Array.isArray(versions)) w.push(`version IN ${tuple(versions)}`);
    if (q.addedAfter) {
      const us = isoToMicros(q.addedAfter);
      if (Number.isNaN(us)) throw new Error(`invalid added_after: ${q.addedAfter}`);
      w.push(`date_added_us > ${num(us)}`);
    }
    if (q.after) {
      const c = decodeCursor(q.after);
      if (!c) throw new Error('invalid next cursor');
      w.push(`(date_added_us > ${num(c.us)} OR (date_added_us = ${num(c.us)} AND (id > ${str(c.id)} OR (id = ${str(c.id)} AND version > ${str(c.version)}))))`);
    }
    const limit = Math.max(1, Math.min(q.limit ?? 100, 10000));
    const rows = await this.rows<{ id: string; version: string; type: string; spec_version: string; date_added_us: string; doc: string }>(
      `SELECT id, version, type, spec_version, date_added_us, doc FROM ${src} WHERE ${w.join(' AND ')} ORDER BY date_added_us, id, version LIMIT ${limit + 1}`);
    const items = rows.slice(0, limit).map((r) => ({
      id: r.id, version: r.version, type: r.type, spec_version: r.spec_version, date_added: microsToIso(Number(r.date_added_us)), doc: JSON.parse(r.doc) as Record<string, unknown>,
    }));
    const last = rows[limit - 1];
    return { items, next: rows.length > limit && last ? encodeCursor(Number(last.date_added_us), last.id, last.version) : undefined };
  }

  async deleteTaxiiObject(collection: string, id: string, versions?: string[]): Promise<number> {
    const w = `collection = ${str(collection)} AND id = ${str(id)}${versions?.length ? ` AND version IN ${tuple(versions)}` : ''}`;
    const n = Number((await this.rows<{ n: string }>(`SELECT count() AS n FROM ${this.db}.taxii_objects FINAL WHERE ${w}`))[0]?.n ?? 0);
    if (n) await this.client.command({ query: `ALTER TABLE ${this.db}.taxii_objects DELETE WHERE ${w}` });
    return n;
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
