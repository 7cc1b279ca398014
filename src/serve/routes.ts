import type { FastifyInstance } from 'fastify';
import { INCIDENT_STATES, type IncidentState } from '../model/incident.js';
import { SEVERITIES, type Severity } from '../model/severity.js';
import { OPEN_STATES } from '../correlation/correlator.js';
import { AttackTable } from '../correlation/attack.js';
import type { ApiContext, DeviceDoc } from './context.js';
import { HttpError } from './http.js';
import { errorResponses, page, pageQuery, schemaBits } from './schemas.js';
import { ROLES, type Role } from './tokens.js';
import { incidentReportResponse } from '../sinks/incident-report.js';

const { str, strs, int, num, time, severity, bySeverity } = schemaBits;

type Q = Record<string, unknown>;

function ms(t: string | undefined, field: string): number | undefined {
  if (t === undefined) return undefined;
  const v = Date.parse(t);
  if (!Number.isFinite(v)) throw new HttpError(400, `${field} must be an ISO 8601 time`, field);
  return v;
}

function checkRange(q: { since?: string; until?: string }): void {
  const s = ms(q.since, 'since');
  const u = ms(q.until, 'until');
  if (s !== undefined && u !== undefined && s >= u) throw new HttpError(400, 'since must be before until', 'since');
}

const totals = { bytes: num, packets: num, flows: int };

/** The /api/v1 routes (docs/API.md). Each route's schema is also its OpenAPI entry. */
export async function registerApiRoutes(api: FastifyInstance, ctx: ApiContext): Promise<void> {
  const { store } = ctx;
  // the incident report renderer: the wired capability, else the built-in one (src/sinks/incident-report.ts)
  const report = ctx.capabilities.report ?? ((inc, alerts, format) => incidentReportResponse(inc, alerts, format, { generator: 'Tidewatch 0.1.0' }));
  const role = (r: Role) => ({ role: r });

  api.get('/me', {
    config: role('viewer'),
    schema: {
      tags: ['session'], summary: 'Who the token belongs to, and which optional capabilities this build answers (the console hides the others)',
      response: {
        200: {
          type: 'object',
          properties: {
            id: str, name: str, role: str,
            capabilities: { type: 'object', properties: { indicators: { type: 'boolean' }, access: { type: 'boolean' }, report: { type: 'boolean' } } },
          },
        },
        ...errorResponses,
      },
    },
  }, async (req) => ({
    id: req.principal!.id, name: req.principal!.name ?? req.principal!.id, role: req.principal!.role,
    capabilities: { indicators: Boolean(ctx.capabilities.indicators), access: Boolean(ctx.capabilities.access), report: true },
  }));

  // The ATT&CK table (rules/attack/techniques.yml): tactics in kill-chain order and the techniques detectors tag.
  let attack: { tactics: readonly string[]; techniques: { id: string; name: string; tactic: string }[] } | undefined;
  api.get('/attack', {
    config: role('viewer'),
    schema: {
      tags: ['incidents'], summary: 'ATT&CK tactics in kill-chain order and the techniques Tidewatch tags (the incident matrix)',
      response: {
        200: {
          type: 'object',
          properties: { tactics: strs, techniques: { type: 'array', items: { type: 'object', properties: { id: str, name: str, tactic: str } } } },
        },
        ...errorResponses,
      },
    },
  }, async () => {
    if (!attack) {
      const t = AttackTable.load();
      attack = { tactics: t.tacticOrder, techniques: t.list() };
    }
    return attack;
  });

  api.get('/overview', {
    config: role('viewer'),
    schema: {
      tags: ['overview'], summary: 'Figures for the console front page',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: { since: { ...time, description: 'start of alerts_over_time and top_talkers (default: 24 h ago)' }, bucket: { type: 'integer', minimum: 60, maximum: 86400, default: 3600 } },
      },
      response: {
        200: {
          type: 'object',
          properties: {
            incidents_by_severity: { ...bySeverity, description: 'open incidents (new, investigating, contained)' },
            alerts_over_time: { type: 'array', items: { type: 'object', properties: { bucket: time, detector: str, count: int } } },
            worst_devices: { type: 'array', items: { type: 'object', properties: { device: str, platform: str, findings: bySeverity } } },
            top_talkers: { type: 'array', items: { type: 'object', properties: { key: str, ...totals } } },
            ingest: { type: 'array', items: { type: 'object', properties: { source: str, accepted: num, dropped: num, parse_errors: num, rate_per_s: num } } },
          },
        },
        ...errorResponses,
      },
    },
  }, async (req) => {
    const q = req.query as { since?: string; bucket: number };
    const since = q.since ?? new Date(Date.now() - 86_400_000).toISOString();
    const devices = (await store.listDocs<DeviceDoc>('device')).map((d) => d.doc);
    const worst = devices.map((d) => {
      const findings = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
      for (const f of d.findings ?? []) findings[f.severity]++;
      return { device: d.name, platform: d.platform, findings };
    }).sort((a, b) => SEVERITIES.slice().reverse().reduce((acc, s) => acc || b.findings[s] - a.findings[s], 0) || a.device.localeCompare(b.device)).slice(0, 10);
    return {
      incidents_by_severity: await store.incidentCounts(OPEN_STATES),
      alerts_over_time: await store.alertBuckets({ since, bucketSeconds: q.bucket }),
      worst_devices: worst,
      top_talkers: await store.flowTop({ since, by: 'src', limit: 10 }),
      ingest: await ctx.metrics.ingest(),
    };
  });

  // ---- incidents
  api.get('/incidents', {
    config: role('viewer'),
    schema: {
      tags: ['incidents'], summary: 'List incidents',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          state: { type: 'array', items: { type: 'string', enum: [...INCIDENT_STATES, 'open'] }, description: 'one or more states (repeat the parameter); `open` means new, investigating or contained' },
          severity: { ...severity, description: 'this severity and above' },
          device: str,
          sort: { type: 'string', enum: ['severity', 'last_seen', 'first_seen'], default: 'severity' },
          ...pageQuery,
        },
      },
      response: { 200: page({ $ref: 'Incident#' }), ...errorResponses },
    },
  }, async (req) => {
    const q = req.query as { state?: string[]; severity?: Severity; device?: string; sort: 'severity' | 'last_seen' | 'first_seen'; limit: number; offset: number };
    const states = q.state?.flatMap((s) => (s === 'open' ? [...OPEN_STATES] : [s as IncidentState]));
    return store.listIncidents({ state: states, minSeverity: q.severity, device: q.device?.toLowerCase(), order: q.sort, limit: q.limit, offset: q.offset });
  });

  const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 100 } } };

  api.get('/incidents/:id', {
    config: role('viewer'),
    schema: {
      tags: ['incidents'], summary: 'One incident with its alerts', params: idParams,
      response: { 200: { allOf: [{ $ref: 'Incident#' }, { type: 'object', properties: { alerts: { type: 'array', items: { $ref: 'Alert#' } } } }] }, ...errorResponses },
    },
  }, async (req) => {
    const { id } = req.params as { id: string };
    const inc = await store.getIncident(id);
    if (!inc) throw new HttpError(404, `no incident with id ${id}`);
    return { ...inc, alerts: await store.getAlerts(inc.alert_ids) };
  });

  api.patch('/incidents/:id', {
    config: role('analyst'),
    schema: {
      tags: ['incidents'], summary: 'Change state or assignee, add a note; closing as false_positive with suppress adds suppressions', params: idParams,
      body: {
        type: 'object', additionalProperties: false, minProperties: 1,
        properties: {
          state: { type: 'string', enum: [...INCIDENT_STATES] },
          assignee: { type: ['string', 'null'], maxLength: 200 },
          note: { type: 'string', maxLength: 10000 },
          suppress: { type: 'boolean', description: 'only with state false_positive: future alerts of the same rule on the same device are dropped' },
        },
      },
      response: { 200: { $ref: 'Incident#' }, ...errorResponses },
    },
  }, async (req) => {
    const { id } = req.params as { id: string };
    const body = req.body as { state?: IncidentState; assignee?: string | null; note?: string; suppress?: boolean };
    return ctx.incidents.update(id, body, req.principal!.name ?? req.principal!.id);
  });

  api.post('/incidents/:id/notes', {
    config: role('analyst'),
    schema: {
      tags: ['incidents'], summary: 'Add a note', params: idParams,
      body: { type: 'object', required: ['text'], additionalProperties: false, properties: { text: { type: 'string', minLength: 1, maxLength: 10000 } } },
      response: { 200: { $ref: 'Incident#' }, ...errorResponses },
    },
  }, async (req) => {
    const { id } = req.params as { id: string };
    return ctx.incidents.addNote(id, (req.body as { text: string }).text, req.principal!.name ?? req.principal!.id);
  });

  api.get('/incidents/:id/report', {
    config: role('viewer'),
    schema: {
      tags: ['incidents'], summary: 'The incident report (summary, timeline, techniques, evidence, remediation)', params: idParams,
      querystring: { type: 'object', additionalProperties: false, properties: { format: { type: 'string', enum: ['html', 'md', 'json'], default: 'html' } } },
    },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const { format } = req.query as { format: 'html' | 'md' | 'json' };
    const inc = await store.getIncident(id);
    if (!inc) throw new HttpError(404, `no incident with id ${id}`);
    const r = report(inc, await store.getAlerts(inc.alert_ids), format);
    return reply.type(r.contentType).send(r.body);
  });

  // ---- alerts
  api.get('/alerts', {
    config: role('viewer'),
    schema: {
      tags: ['alerts'], summary: 'List alerts',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          since: time, until: time, severity: { ...severity, description: 'this severity and above' },
          detector: { type: 'string', enum: ['audit', 'sigma', 'flows', 'intel', 'access'] },
          device: str, rule: str, ip: { type: 'string', description: 'alerts naming this address (entities.ips)' }, order: { type: 'string', enum: ['asc', 'desc'], default: 'desc' }, ...pageQuery,
        },
      },
      response: { 200: page({ $ref: 'Alert#' }), ...errorResponses },
    },
  }, async (req) => {
    const q = req.query as Q & { since?: string; until?: string; severity?: Severity; detector?: string; device?: string; rule?: string; ip?: string; order: 'asc' | 'desc'; limit: number; offset: number };
    checkRange(q);
    return store.listAlerts({ since: q.since, until: q.until, minSeverity: q.severity, detector: q.detector, device: q.device, ruleId: q.rule, ip: q.ip, order: q.order, limit: q.limit, offset: q.offset });
  });


  // ---- devices
  const deviceRow = { type: 'object', properties: { name: str, platform: str, version: str, file: str, last_audit: time, findings: bySeverity } };
  api.get('/devices', {
    config: role('viewer'),
    schema: {
      tags: ['devices'], summary: 'Audited devices with the counts of their latest findings',
      querystring: { type: 'object', additionalProperties: false, properties: { q: { type: 'string', description: 'name contains' }, ...pageQuery } },
      response: { 200: page(deviceRow), ...errorResponses },
    },
  }, async (req) => {
    const q = req.query as { q?: string; limit: number; offset: number };
    let docs = (await store.listDocs<DeviceDoc>('device')).map((d) => d.doc);
    if (q.q) docs = docs.filter((d) => d.name.toLowerCase().includes(q.q!.toLowerCase()));
    const items = docs.slice(q.offset, q.offset + q.limit).map((d) => {
      const findings = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
      for (const f of d.findings ?? []) findings[f.severity]++;
      return { name: d.name, platform: d.platform, version: d.version, file: d.file, last_audit: d.last_audit, findings };
    });
    return { total: docs.length, items };
  });

  api.get('/devices/:name', {
    config: role('viewer'),
    schema: {
      tags: ['devices'], summary: 'One device: its latest findings and its config drift history',
      params: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 200 } } },
      response: {
        200: {
          type: 'object',
          properties: {
            name: str, platform: str, version: str, file: str, last_audit: time, findings: { type: 'array', items: { $ref: 'Alert#' } },
            history: { type: 'array', items: { type: 'object', properties: { time, file: str, changes: { type: 'array', items: { type: 'object', properties: { section: str, added: strs, removed: strs } } } } } },
          },
        },
        ...errorResponses,
      },
    },
  }, async (req) => {
    const { name } = req.params as { name: string };
    const d = await store.getDoc<DeviceDoc>('device', name.toLowerCase());
    if (!d) throw new HttpError(404, `no audited device named ${name}`);
    return d;
  });

  // ---- flows
  const flowFilter = { since: time, until: time, src: str, dst: str, port: { type: 'integer', minimum: 0, maximum: 65535 }, exporter: str };
  api.get('/flows/series', {
    config: role('viewer'),
    schema: {
      tags: ['flows'], summary: 'Flow totals per time bucket',
      querystring: { type: 'object', additionalProperties: false, properties: { ...flowFilter, bucket: { type: 'integer', minimum: 1, maximum: 86400, default: 60, description: 'seconds' } } },
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: { type: 'object', properties: { bucket: time, ...totals } } } } }, ...errorResponses },
    },
  }, async (req) => {
    const q = req.query as { since?: string; until?: string; src?: string; dst?: string; port?: number; exporter?: string; bucket: number };
    checkRange(q);
    return { items: await store.flowSeries({ ...q, bucketSeconds: q.bucket }) };
  });

  api.get('/flows/top', {
    config: role('viewer'),
    schema: {
      tags: ['flows'], summary: 'Top talkers by bytes',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: { ...flowFilter, by: { type: 'string', enum: ['src', 'dst', 'pair', 'port'], default: 'src' }, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 10 } },
      },
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: { type: 'object', properties: { key: str, ...totals } } } } }, ...errorResponses },
    },
  }, async (req) => {
    const q = req.query as { since?: string; until?: string; src?: string; dst?: string; port?: number; exporter?: string; by: 'src' | 'dst' | 'pair' | 'port'; limit: number };
    checkRange(q);
    return { items: await store.flowTop(q) };
  });

  // ---- indicators (intel) and access models: answered once those capabilities are wired in
  api.get('/indicators', {
    config: role('viewer'),
    schema: {
      tags: ['indicators'], summary: 'Indicators held, with their match counts',
      querystring: { type: 'object', additionalProperties: false, properties: { q: str, type: str, ...pageQuery } },
    },
  }, async (req) => {
    if (!ctx.capabilities.indicators) throw new HttpError(501, 'indicators are not available: the intel capability is not wired into this build yet');
    const q = req.query as { q?: string; type?: string; limit: number; offset: number };
    return ctx.capabilities.indicators.list(q);
  });

  api.get('/indicators/:id/matches', {
    config: role('viewer'),
    schema: { tags: ['indicators'], summary: 'Alerts raised by one indicator', params: idParams, querystring: { type: 'object', additionalProperties: false, properties: pageQuery }, response: { 200: page({ $ref: 'Alert#' }), ...errorResponses } },
  }, async (req) => {
    if (!ctx.capabilities.indicators) throw new HttpError(501, 'indicators are not available: the intel capability is not wired into this build yet');
    const { id } = req.params as { id: string };
    const q = req.query as { limit: number; offset: number };
    return store.listAlerts({ detector: 'intel', ruleId: id, limit: q.limit, offset: q.offset });
  });

  api.register(async (sub) => {
    // the import body is the file's text whatever its type (STIX/MISP JSON or a plain list)
    sub.removeAllContentTypeParsers();
    sub.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 64 * 1024 * 1024 }, (_req, body, done) => done(null, body));
    sub.post('/indicators/import', {
      config: role('analyst'),
      schema: { tags: ['indicators'], summary: 'Import a STIX 2.1 bundle, MISP event or plain list (the request body is the file)' },
    }, async (req) => {
      if (!ctx.capabilities.indicators) throw new HttpError(501, 'indicators are not available: the intel capability is not wired into this build yet');
      const text = typeof req.body === 'string' ? req.body : '';
      if (!text.trim()) throw new HttpError(400, 'the request body must be the indicator file');
      return ctx.capabilities.indicators.import(text, req.principal!.name ?? req.principal!.id);
    });
  });

  api.get('/access/operators', {
    config: role('viewer'),
    schema: { tags: ['access'], summary: 'Lawful-intercept / call-record operators with their learned profile and recent anomalies' },
  }, async () => {
    if (!ctx.capabilities.access) throw new HttpError(501, 'access models are not available: the access capability is not wired into this build yet');
    const ops = await ctx.capabilities.access.operators();
    const items = [];
    for (const o of ops) {
      const recent = (await store.listAlerts({ detector: 'access', limit: 200 })).items.filter((a) => (a.entities?.accounts ?? []).includes(o.operator)).slice(0, 20);
      items.push({ ...o, recent_anomalies: recent });
    }
    return { total: items.length, items };
  });

  // ---- suppressions
  api.get('/suppressions', {
    config: role('viewer'),
    schema: { tags: ['suppressions'], summary: 'False-positive suppressions and how many alerts each dropped', response: { 200: page({ $ref: 'Suppression#' }), ...errorResponses } },
  }, async () => {
    const items = ctx.incidents.listSuppressions();
    return { total: items.length, items };
  });

  api.delete('/suppressions/:id', {
    config: role('admin'),
    schema: { tags: ['suppressions'], summary: 'Remove a suppression', params: idParams, response: { 204: { type: 'null' }, ...errorResponses } },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    if (!(await ctx.incidents.deleteSuppression(id))) throw new HttpError(404, `no suppression with id ${id}`);
    return reply.code(204).send();
  });

  // ---- tokens
  api.get('/tokens', {
    config: role('admin'),
    schema: { tags: ['tokens'], summary: 'API tokens (never the token text)', response: { 200: page({ $ref: 'Token#' }), ...errorResponses } },
  }, async () => {
    const items = ctx.tokens.list();
    return { total: items.length, items };
  });

  api.post('/tokens', {
    config: role('admin'),
    schema: {
      tags: ['tokens'], summary: 'Make a token; the answer is the only time its text is shown',
      body: { type: 'object', required: ['role'], additionalProperties: false, properties: { role: { type: 'string', enum: [...ROLES] }, name: { type: 'string', maxLength: 200 } } },
      response: { 201: { type: 'object', properties: { token: str, id: str, name: str, role: str, created: time } }, ...errorResponses },
    },
  }, async (req, reply) => {
    const b = req.body as { role: Role; name?: string };
    const { token, info } = ctx.tokens.create(b.role, b.name);
    return reply.code(201).send({ token, ...info });
  });

  api.delete('/tokens/:id', {
    config: role('admin'),
    schema: { tags: ['tokens'], summary: 'Revoke a token', params: idParams, response: { 204: { type: 'null' }, ...errorResponses } },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    if (!ctx.tokens.revoke(id)) throw new HttpError(404, `no token with id ${id}`);
    return reply.code(204).send();
  });
}
