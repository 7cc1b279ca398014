/**
 * JSON Schemas of the HTTP API. Fastify validates requests with them and @fastify/swagger turns them into the
 * OpenAPI description served at /api/v1/openapi.json, so the validation and the description cannot drift apart.
 * docs/API.md is the prose version of the same contract.
 */
import { INCIDENT_STATES } from '../model/incident.js';
import { SEVERITIES } from '../model/severity.js';
import { ROLES } from './tokens.js';

const str = { type: 'string' } as const;
const strs = { type: 'array', items: str } as const;
const int = { type: 'integer' } as const;
const num = { type: 'number' } as const;
const time = { type: 'string', format: 'date-time' } as const;
const severity = { type: 'string', enum: [...SEVERITIES] } as const;
const bySeverity = { type: 'object', properties: Object.fromEntries(SEVERITIES.map((s) => [s, int])), additionalProperties: false } as const;

export const ErrorSchema = {
  $id: 'Error',
  type: 'object',
  required: ['error'],
  properties: { error: str, field: str },
} as const;

export const AlertSchema = {
  $id: 'Alert',
  type: 'object',
  description: 'The common alert every detector emits (src/model/alert.ts).',
  required: ['id', 'time', 'detector', 'rule', 'severity', 'attack'],
  additionalProperties: true,
  properties: {
    id: str, time, detector: { type: 'string', enum: ['audit', 'sigma', 'flows', 'intel', 'access'] },
    rule: {
      type: 'object', required: ['id', 'title', 'level', 'tags'], additionalProperties: true,
      properties: { id: str, title: str, level: severity, tags: strs, author: str, kind: str },
    },
    severity, attack: strs, device: str,
    entities: { type: 'object', additionalProperties: true, properties: { ips: strs, accounts: strs, devices: strs } },
    source: { type: 'object', additionalProperties: true, properties: { file: str, line: int, lines: { type: 'array', items: int } } },
    event: { type: 'object', additionalProperties: true },
    correlation: { type: 'object', additionalProperties: true },
    reasons: strs, remediation: str,
  },
} as const;

export const IncidentSchema = {
  $id: 'Incident',
  type: 'object',
  description: 'A group of correlated alerts (src/model/incident.ts, docs/INCIDENTS.md).',
  required: ['id', 'title', 'severity', 'state', 'first_seen', 'last_seen', 'alert_ids', 'techniques', 'timeline', 'devices', 'accounts', 'ips', 'remediation', 'history', 'notes'],
  additionalProperties: true,
  properties: {
    id: str, title: str, severity, state: { type: 'string', enum: [...INCIDENT_STATES] }, assignee: str,
    first_seen: time, last_seen: time, alert_ids: strs,
    techniques: { type: 'array', items: { type: 'object', required: ['technique', 'tactic'], properties: { technique: str, tactic: str, name: str } } },
    timeline: {
      type: 'array',
      items: { type: 'object', required: ['time', 'alert_id', 'title'], properties: { time, alert_id: str, title: str, device: str, technique: str, tactic: str } },
    },
    devices: strs, accounts: strs, ips: strs, remediation: strs,
    history: { type: 'array', items: { type: 'object', required: ['state', 'by', 'at'], properties: { state: str, by: str, at: time, note: str } } },
    notes: { type: 'array', items: { type: 'object', required: ['by', 'at', 'text'], properties: { by: str, at: time, text: str } } },
    chains: { type: 'array', items: { type: 'object', properties: { id: str, title: str } } },
    severity_reasons: strs,
    merged_into: str,
  },
} as const;

export const SuppressionSchema = {
  $id: 'Suppression',
  type: 'object',
  required: ['id', 'rule', 'created_by', 'created_at', 'hits'],
  properties: { id: str, rule: str, device: str, incident: str, created_by: str, created_at: time, note: str, hits: int, last_hit: time },
} as const;

export const TokenSchema = {
  $id: 'Token',
  type: 'object',
  required: ['id', 'role', 'created'],
  properties: { id: str, name: str, role: { type: 'string', enum: [...ROLES] }, created: time },
} as const;

export const SHARED_SCHEMAS = [ErrorSchema, AlertSchema, IncidentSchema, SuppressionSchema, TokenSchema];

export const errorResponses = {
  400: { $ref: 'Error#' }, 401: { $ref: 'Error#' }, 403: { $ref: 'Error#' }, 404: { $ref: 'Error#' },
} as const;

export function page(item: object) {
  return { type: 'object', required: ['total', 'items'], properties: { total: int, items: { type: 'array', items: item } } } as const;
}

export const pageQuery = {
  limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50, description: 'page size (1-1000)' },
  offset: { type: 'integer', minimum: 0, default: 0, description: 'items to skip' },
} as const;

export const schemaBits = { str, strs, int, num, time, severity, bySeverity };
