import { readFileSync, existsSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { SiteConfig } from '../model/site.js';
import { DEFAULT_INTERNAL_PREFIXES, parsePrefix } from '../util/ip.js';

export class SiteError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
  }
}

const LIST_KEYS = [
  'internal_prefixes', 'management_hosts', 'aaa_servers', 'syslog_servers', 'ntp_servers', 'snmp_managers',
  'approved_accounts', 'tunnel_peers',
] as const;

/** Prefix-valued keys are validated so a typo is an error at load time, not a silent miss. */
const PREFIX_KEYS = new Set(['internal_prefixes', 'management_hosts', 'aaa_servers', 'syslog_servers', 'ntp_servers', 'snmp_managers', 'tunnel_peers']);

function strList(file: string, key: string, v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new SiteError(file, `\`${key}\` must be a list`);
  return v.map((x, i) => {
    if (typeof x !== 'string' && typeof x !== 'number') throw new SiteError(file, `\`${key}[${i}]\` must be a string`);
    return String(x);
  });
}

function mapping(file: string, key: string, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SiteError(file, `\`${key}\` must be a mapping`);
  return v as Record<string, unknown>;
}

function huntSection(file: string, v: unknown): SiteConfig['hunt'] {
  if (v === undefined || v === null) return undefined;
  const h = mapping(file, 'hunt', v);
  return { rules: h.rules === undefined ? undefined : strList(file, 'hunt.rules', h.rules) };
}

/** Builds a SiteConfig from a parsed object (exported so tests and the drill generator can build one in memory). */
export function siteFromObject(raw: unknown, file = '<inline>'): SiteConfig {
  const o = (raw ?? {}) as Record<string, unknown>;
  if (typeof o !== 'object' || Array.isArray(o)) throw new SiteError(file, 'the site file must be a mapping');
  const assumptions: string[] = [];
  if (o.flows !== undefined && o.flows !== null && (typeof o.flows !== 'object' || Array.isArray(o.flows))) throw new SiteError(file, '`flows` must be a mapping of flow analytics settings');
  const site: SiteConfig = {
    organization: o.organization as SiteConfig['organization'],
    data: typeof o.data === 'string' ? o.data : undefined,
    internal_prefixes: [], management_hosts: [], aaa_servers: [], syslog_servers: [], ntp_servers: [],
    snmp_managers: [], approved_accounts: [], tunnel_peers: [],
    devices: Array.isArray(o.devices) ? (o.devices as SiteConfig['devices']) : [],
    access: { jump_hosts: [], operators: [] },
    listeners: {},
    serve: (o.serve as Record<string, unknown>) ?? undefined,
    scaleout: o.scaleout as SiteConfig['scaleout'],
    hunt: huntSection(file, o.hunt),
    delivery: o.delivery === undefined || o.delivery === null ? undefined : mapping(file, 'delivery', o.delivery),
    flows: o.flows && typeof o.flows === 'object' && !Array.isArray(o.flows) ? (o.flows as Record<string, unknown>) : undefined,
    assumptions,
    path: file === '<inline>' ? undefined : file,
  };
  for (const k of LIST_KEYS) {
    const list = strList(file, k, o[k]);
    if (PREFIX_KEYS.has(k)) {
      for (const p of list) if (!parsePrefix(p)) throw new SiteError(file, `\`${k}\`: "${p}" is not an IP address or prefix`);
    }
    site[k] = list;
  }
  if (site.internal_prefixes.length === 0) {
    site.internal_prefixes = [...DEFAULT_INTERNAL_PREFIXES];
    assumptions.push('no internal_prefixes declared: RFC 1918 and RFC 6598 space (and IPv6 ULA/link-local) count as internal');
  }
  const acc = (o.access ?? {}) as Record<string, unknown>;
  site.access = {
    jump_hosts: strList(file, 'access.jump_hosts', acc.jump_hosts),
    operators: Array.isArray(acc.operators)
      ? acc.operators.map((x, i) => {
          const op = x as Record<string, unknown>;
          if (!op || typeof op.name !== 'string') throw new SiteError(file, `\`access.operators[${i}]\` needs a name`);
          const status = op.status === undefined ? 'active' : op.status;
          if (status !== 'active' && status !== 'disabled') throw new SiteError(file, `\`access.operators[${i}].status\` must be active or disabled`);
          return { name: op.name, status, role: typeof op.role === 'string' ? op.role : undefined };
        })
      : [],
    bulk_export_bytes: typeof acc.bulk_export_bytes === 'number' ? acc.bulk_export_bytes : undefined,
    systems: acc.systems === undefined ? undefined : strList(file, 'access.systems', acc.systems),
  };
  if (o.listeners && typeof o.listeners === 'object') {
    for (const [k, v] of Object.entries(o.listeners as Record<string, unknown>)) site.listeners[k] = String(v);
  }
  return site;
}

/**
 * Loads the site file. With no explicit path, `./tidewatch.yml` is used if present, else defaults
 * (recorded in `assumptions`). An explicit path that does not exist is an error.
 */
export function loadSite(path?: string): SiteConfig {
  const file = path ?? 'tidewatch.yml';
  if (!existsSync(file)) {
    if (path) throw new SiteError(file, 'site file not found');
    return siteFromObject({}, '<default>');
  }
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SiteError(file, `not valid YAML: ${(e as Error).message}`);
  }
  return siteFromObject(raw, file);
}

/** The data directory: --data, else `data:` in the site file, else ./.tidewatch */
export function dataDir(opt: string | undefined, site?: SiteConfig): string {
  return opt ?? site?.data ?? '.tidewatch';
}
