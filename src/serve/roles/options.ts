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
}

/** `--nats`/`--clickhouse` override the site file's `scaleout:` section (docs/DEPLOY.md). */
export function scaleoutSettings(site: SiteConfig, role: ServeRole, cli: { nats?: string[]; clickhouse?: string }): ScaleoutSettings {
  const so = (site.scaleout ?? {}) as { nats?: string[]; clickhouse?: string; partitions?: number; lease_ms?: number; intel_reload?: string };
  const nats = cli.nats?.length ? cli.nats : (so.nats ?? []);
  const clickhouse = cli.clickhouse ?? so.clickhouse;
  const partitions = so.partitions ?? 16;
  const leaseMs = so.lease_ms ?? 5000;
  const intelReloadMs = parseDuration(so.intel_reload ?? '60s');
  if (!intelReloadMs || intelReloadMs < 1000) throw new ConfigError(`scaleout.intel_reload must be a duration of at least 1s (got ${String(so.intel_reload)})`);
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 1024) throw new ConfigError('scaleout.partitions must be a whole number from 1 to 1024');
  if (role !== 'all' && role !== 'api' && !nats.length) throw new ConfigError(`--role ${role} needs NATS servers: --nats URL or scaleout.nats in the site file`);
  if ((role === 'store' || role === 'api') && !clickhouse) throw new ConfigError(`--role ${role} needs ClickHouse: --clickhouse URL or scaleout.clickhouse in the site file`);
  return { nats, clickhouse, partitions, leaseMs, intelReloadMs };
}
