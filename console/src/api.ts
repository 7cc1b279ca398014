// The console's only way to data: the service's HTTP API (docs/API.md), with the signed-in token.
import type { Alert } from '../../src/model/alert.js';
import type { Incident, IncidentState } from '../../src/model/incident.js';
import type { Severity } from '../../src/model/severity.js';

export type { Alert, Incident, IncidentState, Severity };
export type Role = 'viewer' | 'analyst' | 'admin';
export type SeverityCounts = Partial<Record<Severity, number>>;

export interface Me {
  id?: string;
  name: string;
  role: Role;
  /** Optional capabilities this build answers (absent: assume all). */
  capabilities?: { indicators?: boolean; access?: boolean; report?: boolean };
}
export interface ListPage<T> { total: number; items: T[] }
export interface Overview {
  incidents_by_severity: SeverityCounts;
  alerts_over_time: { bucket: string; detector: string; count: number }[];
  worst_devices: { device: string; platform?: string; findings: SeverityCounts }[];
  top_talkers: Talker[];
  ingest: { source: string; accepted: number; dropped: number; parse_errors: number; rate_per_s: number }[];
}
export interface Talker { key: string; bytes: number; packets: number; flows: number }
export interface SeriesPoint { bucket: string; bytes: number; packets: number; flows: number }
export interface IncidentDetail extends Incident {
  alerts: Alert[];
  /** Known chains the incident completes (rules/correlation/incidents.yml). */
  chains?: { id: string; title: string }[];
  /** Why the severity is above the highest alert severity. */
  severity_reasons?: string[];
  /** Set when the incident was merged into another. */
  merged_into?: string;
}
export interface DeviceSummary {
  name: string; platform?: string; version?: string; file?: string; last_audit?: string; findings: SeverityCounts;
}
export interface ConfigChange { section: string; added: string[]; removed: string[] }
export interface DeviceDetail {
  name: string; platform?: string; version?: string; last_audit?: string;
  findings: Finding[];
  history: { time: string; changes: ConfigChange[] }[];
}
/** A device finding: an audit `Alert`, or a smaller record with at least a rule and a severity. */
export type Finding = Partial<Alert> & { severity: Severity; rule?: Alert['rule'] | string; title?: string; line?: number };
export interface Indicator {
  id: string; type: string; value: string; pattern?: string; source?: string; confidence?: number;
  valid_until?: string; matches?: number;
}
export interface ImportResult { added: number; updated: number; skipped: number; rejected: { reason: string; [k: string]: unknown }[] }
export interface OperatorProfile { operator: string; profile: Record<string, unknown>; recent_anomalies: Alert[] }
export interface AttackTable { tactics: string[]; techniques: { id: string; name: string; tactic: string }[] }

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const TOKEN_KEY = 'tidewatch.token';

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}
export function storeToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** Query string from an object, leaving out empty values. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}

/** The API root, relative to the page so the console works behind a path prefix too. */
const BASE = new URL('api/v1/', document.baseURI).pathname;

export async function request(path: string, init: RequestInit & { token?: string | null } = {}): Promise<Response> {
  const token = init.token === undefined ? storedToken() : init.token;
  const headers = new Headers(init.headers);
  if (token) headers.set('Authorization', `Bearer ${token}`);
  const res = await fetch(BASE + path.replace(/^\//, ''), { ...init, headers });
  if (!res.ok) {
    let msg = `${res.status} ${res.statusText}`;
    try {
      const body = (await res.json()) as { error?: string };
      if (body.error) msg = body.error;
    } catch (_) { /* not JSON */ }
    throw new ApiError(res.status, msg);
  }
  return res;
}

export async function get<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await request(path, { signal })).json() as Promise<T>;
}

export async function send<T>(method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const isText = typeof body === 'string';
  const res = await request(path, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': isText ? 'text/plain' : 'application/json' },
    body: body === undefined ? undefined : isText ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Checks a token by asking who it belongs to. */
export async function whoami(token: string): Promise<Me> {
  return (await request('me', { token })).json() as Promise<Me>;
}

/** Whether the service answers an optional capability (older services without the flags: yes). */
export function hasCapability(me: Me | undefined, c: keyof NonNullable<Me['capabilities']>): boolean {
  return me?.capabilities?.[c] ?? true;
}

export const can = {
  edit: (role: Role | undefined) => role === 'analyst' || role === 'admin',
  admin: (role: Role | undefined) => role === 'admin',
};
