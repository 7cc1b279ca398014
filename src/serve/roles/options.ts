import type { SiteConfig } from '../../model/site.js';
import { ConfigError } from '../config.js';
import { parseDuration } from '../../correlation/rules.js';

export const ROLES = ['all', 'collector', 'detector', 'store', 'api'] as const;
export type ServeRole = (typeof ROLES)[number];

export interface ScaleoutSettings {
  nats: string[];
  clickhouse?: string;
  /** Partitions of the event stream (fixed for a deployment: it decides where detector state lives). */
  partitions: number;
  /** Partition lease lifetime: how fast a dead detector's partitions move (ms). */
  leaseMs: number;
  /** How often a detector reloads indicators from the shared store (ms). */
  intelReloadMs: number;
  /** Days to keep per ClickHouse table (`scaleout.retention`); the store role drops older day partitions hourly. */
  retentionDays: Partial<Record<'events' | 'flows' | 'alerts', number>>;
}

/** `scaleout.retention: {events: 30d, flows: 14d, alerts: 400d}` (whole days: ClickHouse drops day partitions). */
export function retentionSettings(raw: unknown): ScaleoutSettings['retentionDays'] {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('scaleout.retention must map events, flows or alerts to a duration in days (e.g. 30d)');
  const out: ScaleoutSettings['retentionDays'] = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (k !== 'events' && k !== 'flows' && k !== 'alerts') throw new ConfigError(`scaleout.retention.${k}: only events, flows and alerts have a retention`);
    const m = /^(\d+)\s*d$/.exec(String(v).trim());
    if (!m || Number(m[1]) < 1) throw new ConfigError(`scaleout.retention.${k} must be a whole number of days, at least 1d (got ${String(v)})`);
    out[k] = Number(m[1]);
  }
  return out;
}

/** `--nats`/`--clickhouse` override the site file's `scaleout:` section (docs/DEPLOY.md). */
export function scaleoutSettings(site: SiteConfig, role: ServeRole, cli: { nats?: string[]; clickhouse?: string }): ScaleoutSettings {
  const so = (site.scaleout ?? {}) as { nats?: string[]; clickhouse?: string; partitions?: number; lease_ms?: number; intel_reload?: string; retention?: unknown };
  const nats = cli.nats?.length ? cli.nats : (so.nats ?? []);
  const clickhouse = cli.clickhouse ?? so.clickhouse;
  const partitions = so.partitions ?? 16;
  const leaseMs = so.lease_ms ?? 5000;
  const intelReloadMs = parseDuration(so.intel_reload ?? '60s');
  if (!intelReloadMs || intelReloadMs < 1000) throw new ConfigError(`scaleout.intel_reload must be a duration of at least 1s (got ${String(so.intel_reload)})`);
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 1024) throw new ConfigError('scaleout.partitions must be a whole number from 1 to 1024');
  if (role !== 'all' && role !== 'api' && !nats.length) throw new ConfigError(`--role ${role} needs NATS servers: --nats URL or scaleout.nats in the site file`);
  if ((role === 'store' || role === 'api') && !clickhouse) throw new ConfigError(`--role ${role} needs ClickHouse: --clickhouse URL or scaleout.clickhouse in the site file`);
  return { nats, clickhouse, partitions, leaseMs, intelReloadMs, retentionDays: retentionSettings(so.retention) };
}
